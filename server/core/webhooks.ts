/**
 * Sends each site's feed to its webhook endpoints (docs/architecture.md §11): at least once, in order per
 * conversation, the same `webhook-id` on every retry, backing off for more than a day, and off
 * for good when the receiver answers 410. The queue is the store's, so whichever instance runs
 * `deliver()` next carries on where another stopped or died; a slow receiver holds up only its
 * own lane, never a message being handled.
 */
import { sha256Hex } from "../auth/bytes.ts";
import { signWebhook } from "../auth/webhook-signature.ts";
import type { SiteConfig, WebhookConfig } from "../config.ts";
import type { Logger } from "../log.ts";
import type { Store, WebhookClaim, WebhookOutcome } from "../store/types.ts";

/**
 * The waits after attempts 1, 2, 3 …: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h (about 27 h in
 * all, each ±20 %); the attempt after the last wait is the last.
 */
export const RETRY_DELAYS_MS = [5e3, 3e5, 18e5, 72e5, 18e6, 36e6, 36e6];
export const WEBHOOK_TIMEOUT_MS = 10_000;
/** Lanes leased per claim: the most requests one instance has in flight at once. */
const BATCH = 50;
/** Claims per `deliver()`, so one call ends even while the feed keeps growing. */
const MAX_BATCHES = 20;

export interface WebhookOptions {
  /** How long a receiver may take to answer; longer counts as a failed attempt. Default 10 s. */
  timeoutMs: number;
  /** Default {@link RETRY_DELAYS_MS}; tests shorten them. */
  retryDelaysMs: readonly number[];
  fetch: typeof fetch;
  /** 0 ≤ x < 1, for the jitter. */
  random: () => number;
}

export interface WebhookDeps extends Partial<WebhookOptions> {
  store: Store;
  sites: readonly SiteConfig[];
  now: () => number;
  log: Logger;
}

export interface Webhooks {
  /**
   * Queues what the feeds gained and sends what is due: one round of work, answered with what
   * it did. Run it from a timer (Node) or the Cron Trigger and after requests (the edge).
   */
  deliver(): Promise<{ queued: number; sent: number }>;
}

/** An endpoint's id: its URL's hash, so the same URL keeps its place in the feed across restarts. */
export async function webhookEndpointId(url: string): Promise<string> {
  return (await sha256Hex(url)).slice(0, 16);
}

/** What one attempt logs in the site's delivery log. */
interface AttemptLog {
  webhookId: string;
  endpoint: { id: string; url: string };
  type: string;
  conversationId?: string;
  attempt: number;
  outcome: "delivered" | "retrying" | "failed" | "disabled";
  status: number | null;
  error?: string;
  durationMs: number;
  attemptedAt: string;
  nextAttemptAt?: string;
}

/**
 * @example
 * const webhooks = createWebhooks({ store, sites: config.sites, now: Date.now, log });
 * setInterval(() => void webhooks.deliver(), 500);
 */
export function createWebhooks(deps: WebhookDeps): Webhooks {
  const { store, now, log } = deps;
  const timeoutMs = deps.timeoutMs ?? WEBHOOK_TIMEOUT_MS;
  const delays = deps.retryDelaysMs ?? RETRY_DELAYS_MS;
  const send = deps.fetch ?? ((input, init) => fetch(input, init));
  const random = deps.random ?? Math.random;
  // The lease outlasts the slowest attempt, so no other instance takes a lane mid-request.
  const leaseMs = timeoutMs * 2 + 1_000;
  const sites = deps.sites.filter((site) => (site.webhooks?.length ?? 0) > 0);
  const endpoints = Promise.all(
    sites.map(async (site) => ({
      site,
      endpoints: await Promise.all(
        (site.webhooks ?? []).map(async (config) => ({
          id: await webhookEndpointId(config.url),
          config,
        })),
      ),
    })),
  );

  /** One try; without `config` (an instance whose sites file lacks the endpoint) a failed one. */
  async function attempt(
    config: WebhookConfig | undefined,
    claim: WebhookClaim & { item: NonNullable<WebhookClaim["item"]> },
  ): Promise<WebhookOutcome> {
    const started = now();
    const webhookId = `evt_${claim.siteId}_${claim.item.cursor}`;
    const timestamp = Math.floor(started / 1000);
    let status: number | null = null;
    let error: string | undefined;
    try {
      if (!config) throw new Error("the endpoint is not in this server's sites file");
      const response = await send(config.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "user-agent": "omnithread-webhooks",
          "webhook-id": webhookId,
          "webhook-timestamp": String(timestamp),
          "webhook-signature": await signWebhook(
            config.secret,
            webhookId,
            timestamp,
            claim.item.body,
          ),
        },
        body: claim.item.body,
        redirect: "manual",
        signal: AbortSignal.timeout(timeoutMs),
      });
      status = response.status;
      await response.body?.cancel().catch(() => undefined);
    } catch (cause) {
      error =
        cause instanceof Error && cause.name === "TimeoutError"
          ? `no answer within ${timeoutMs} ms`
          : `could not connect: ${cause instanceof Error ? cause.message : String(cause)}`;
    }
    const ok = status !== null && status >= 200 && status < 300;
    const delay = delays[claim.attempt - 1];
    const result: AttemptLog["outcome"] | "retry" = ok
      ? "delivered"
      : status === 410
        ? "disabled"
        : delay === undefined
          ? "failed"
          : "retry";
    const retryAt =
      delay === undefined ? started : started + Math.round(delay * (0.8 + 0.4 * random()));
    const entry: AttemptLog = {
      webhookId,
      endpoint: { id: claim.endpointId, url: config?.url ?? "" },
      type: claim.item.type,
      ...(claim.refs.conversationId ? { conversationId: claim.refs.conversationId } : {}),
      attempt: claim.attempt,
      outcome: result === "retry" ? "retrying" : result,
      status,
      ...(error ? { error } : {}),
      durationMs: now() - started,
      attemptedAt: new Date(started).toISOString(),
      ...(result === "retry" ? { nextAttemptAt: new Date(retryAt).toISOString() } : {}),
    };
    if (result === "failed" || result === "disabled") {
      log.warn(result === "failed" ? "webhook given up" : "webhook endpoint disabled (410)", {
        siteId: claim.siteId,
        endpoint: claim.endpointId,
        webhookId,
        attempts: claim.attempt,
      });
    }
    const body = JSON.stringify(entry);
    return result === "retry" ? { result, retryAt, log: body } : { result, log: body };
  }

  async function settle(claim: WebhookClaim): Promise<boolean> {
    const config = (await endpoints)
      .find((s) => s.site.id === claim.siteId)
      ?.endpoints.find((e) => e.id === claim.endpointId)?.config;
    // Gone from the feed (erased, aged out): nothing left to send.
    const outcome: WebhookOutcome = claim.item
      ? await attempt(config, { ...claim, item: claim.item })
      : { result: "skipped" };
    const settled = await store.settleWebhook(claim, outcome, now());
    return settled && outcome.result === "delivered";
  }

  return {
    async deliver() {
      let queued = 0;
      for (const { site, endpoints: list } of await endpoints) {
        queued += await store.queueWebhooks(
          site.id,
          list.map((e) => ({ id: e.id, events: e.config.events })),
          now(),
        );
      }
      let sent = 0;
      for (let batch = 0; batch < MAX_BATCHES && sites.length > 0; batch++) {
        const claims = await store.claimWebhooks(now(), leaseMs, BATCH);
        const results = await Promise.all(claims.map(settle));
        sent += results.filter(Boolean).length;
        if (claims.length < BATCH) break;
      }
      return { queued, sent };
    },
  };
}
