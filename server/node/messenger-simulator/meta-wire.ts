import { createHmac, randomBytes } from "node:crypto";

/**
 * Webhook bodies built and signed the way Meta builds and signs them, for the demo's simulator
 * and the tests. Kept apart from the channel's own verification code (node:crypto here,
 * crypto.subtle there), so a mistake in one cannot hide in the other.
 */

/** One `messaging` item of an entry. */
export type MessagingEvent = Record<string, unknown>;

/**
 * Meta's JSON: non-ASCII as `\uXXXX` with lowercase hex and `/` as `\/`. Meta signs these exact
 * bytes, so a receiver must check the raw body, never a re-serialized one.
 *
 * @example
 * serializeLikeMeta({ text: "café https://x" }); // '{"text":"caf\\u00e9 https:\\/\\/x"}'
 */
export function serializeLikeMeta(value: unknown): string {
  return JSON.stringify(value)
    .replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)
    .replace(/\//g, "\\/");
}

/**
 * `X-Hub-Signature-256` for a body: `sha256=` + the hex HMAC-SHA256 of its bytes, keyed with
 * the app secret.
 *
 * @example
 * signLikeMeta("app-secret", body); // "sha256=5f…"
 */
export function signLikeMeta(appSecret: string, body: string): string {
  return `sha256=${createHmac("sha256", appSecret).update(body, "utf8").digest("hex")}`;
}

/** A webhook body with one entry per page: `{ object: "page", entry: [...] }`. */
export function webhookBody(
  entries: Array<{ pageId: string; events: MessagingEvent[] }>,
  now = Date.now(),
): { object: "page"; entry: unknown[] } {
  return {
    object: "page",
    entry: entries.map(({ pageId, events }) => ({ id: pageId, time: now, messaging: events })),
  };
}

/** A message id shaped like Meta's. */
export function newMid(): string {
  return `m_${randomBytes(30).toString("base64url")}`;
}

interface Who {
  psid: string;
  pageId: string;
  timestamp?: number;
}

const envelope = ({ psid, pageId, timestamp }: Who) => ({
  sender: { id: psid },
  recipient: { id: pageId },
  timestamp: timestamp ?? Date.now(),
});

/** A `messages` event: text, a quick reply's answer, or attachments. */
export function messageEvent(
  who: Who & {
    mid?: string;
    text?: string;
    quickReply?: string;
    attachments?: Array<{ type: string; url: string }>;
  },
): MessagingEvent {
  return {
    ...envelope(who),
    message: {
      mid: who.mid ?? newMid(),
      ...(who.text !== undefined ? { text: who.text } : {}),
      ...(who.quickReply !== undefined ? { quick_reply: { payload: who.quickReply } } : {}),
      ...(who.attachments
        ? { attachments: who.attachments.map((a) => ({ type: a.type, payload: { url: a.url } })) }
        : {}),
    },
  };
}

/** A `messaging_referrals` event: an m.me link opened in an existing thread. */
export function referralEvent(who: Who & { ref: string }): MessagingEvent {
  return {
    ...envelope(who),
    referral: { ref: who.ref, source: "SHORTLINK", type: "OPEN_THREAD" },
  };
}

/** The Get Started `messaging_postbacks` event of a new thread, carrying the link's ref. */
export function getStartedEvent(who: Who & { ref?: string }): MessagingEvent {
  return {
    ...envelope(who),
    postback: {
      mid: newMid(),
      title: "Get Started",
      payload: "GET_STARTED",
      ...(who.ref ? { referral: { ref: who.ref, source: "SHORTLINK", type: "OPEN_THREAD" } } : {}),
    },
  };
}

/** A `message_echoes` event: the page's own message coming back. */
export function echoEvent(who: Who & { text: string; appId?: number }): MessagingEvent {
  return {
    sender: { id: who.pageId },
    recipient: { id: who.psid },
    timestamp: who.timestamp ?? Date.now(),
    message: {
      is_echo: true,
      app_id: who.appId ?? 1517776481860111,
      mid: newMid(),
      text: who.text,
    },
  };
}

/**
 * Posts a webhook to `url` as Meta does: its JSON serialization, signed with the app secret.
 *
 * @example
 * await postWebhook(`${server}/webhooks/messenger`, secret, webhookBody([{ pageId, events }]));
 */
export async function postWebhook(
  url: string,
  appSecret: string,
  body: unknown,
  options: { signature?: string } = {},
): Promise<Response> {
  const raw = serializeLikeMeta(body);
  return fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-hub-signature-256": options.signature ?? signLikeMeta(appSecret, raw),
    },
    body: raw,
  });
}
