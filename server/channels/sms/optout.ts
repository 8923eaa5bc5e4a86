import type { ChannelPort } from "../port.ts";

/**
 * Who said STOP to a site's number: carriers require that nothing more is texted to them until
 * they say START. Kept as two shared marks per number, the time of the last STOP and of the last
 * START (atomic across instances, in Redis across restarts); the later one wins. Kept for years:
 * an opt-out outlives the conversations and is not erased with them (a suppression list).
 */

/** How long an opt-out or opt-in is remembered after it was said. */
const KEPT_MS = 10 * 365 * 86_400_000;

const stopped = (siteId: string, number: string) => `sms:stopped:${siteId}:${number}`;
const started = (siteId: string, number: string) => `sms:started:${siteId}:${number}`;

/**
 * Records STOP (`out`) or START from `number` to the site's number, at `at` (ms).
 *
 * @example
 * await recordOptOut(port, site.id, "+31612345678", true, port.now());
 */
export async function recordOptOut(
  port: ChannelPort,
  siteId: string,
  number: string,
  out: boolean,
  at: number,
): Promise<void> {
  await port.store.raiseMark((out ? stopped : started)(siteId, number), at, KEPT_MS);
}

/**
 * Whether `number` said STOP more recently than START.
 *
 * @example
 * if (await isOptedOut(port, site.id, to)) throw new SmsUnsubscribed(fallbacks);
 */
export async function isOptedOut(
  port: ChannelPort,
  siteId: string,
  number: string,
): Promise<boolean> {
  const [stop, start] = await Promise.all([
    port.store.raiseMark(stopped(siteId, number), 0, KEPT_MS),
    port.store.raiseMark(started(siteId, number), 0, KEPT_MS),
  ]);
  return stop > start;
}
