import { AppError } from "../errors.ts";
import type { Store } from "../store/types.ts";

export interface RateRule {
  limit: number;
  windowMs: number;
}

/** Generous for a person typing fast, tight where abuse is cheap (new threads, logins). */
export const DEFAULT_LIMITS = {
  /** New conversations per client IP. */
  startPerIp: { limit: 20, windowMs: 60_000 },
  /** Messages per conversation, over HTTP and WebSocket alike. */
  messagesPerConversation: { limit: 30, windowMs: 10_000 },
  /** Visitor HTTP calls per client IP (a whole office behind one NAT must still fit). */
  requestsPerIp: { limit: 1200, windowMs: 60_000 },
  /** Agent login attempts per client IP. */
  loginPerIp: { limit: 10, windowMs: 60_000 },
  /** A visitor's uploads per conversation (what they may send in all is the site's `maxTotalBytes`). */
  uploadsPerConversation: { limit: 20, windowMs: 600_000 },
  /** Callback requests per conversation: each one calls a phone and may send a mail. */
  callbacksPerConversation: { limit: 10, windowMs: 3_600_000 },
} satisfies Record<string, RateRule>;

export type Limits = typeof DEFAULT_LIMITS;

/**
 * Counts one hit against `rule` in the store (so the limit holds across instances) and throws
 * 429 `rate_limited` with the seconds to wait once it is spent.
 *
 * @example
 * await enforceLimit(store, "start", ip, limits.startPerIp);
 */
export async function enforceLimit(
  store: Pick<Store, "hit">,
  name: string,
  key: string,
  rule: RateRule,
): Promise<void> {
  const hit = await store.hit(`${name}:${key}`, rule.windowMs);
  if (hit.count > rule.limit) {
    const wait = Math.max(1, Math.ceil(hit.resetMs / 1000));
    throw new AppError("rate_limited", `Too many requests; try again in ${wait} s`, wait);
  }
}
