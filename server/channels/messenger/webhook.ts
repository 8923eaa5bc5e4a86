import { AppError } from "../../errors.ts";

/**
 * Meta's webhook body, read into plain events. Only the parts omnithread acts on are kept;
 * everything else (deliveries, reads, reactions, standby) is `other` and acknowledged.
 * Parsing never trusts shapes: a field of the wrong type reads as absent.
 */

/** How the visitor arrived: the `ref` of an m.me link (`source` and `type` are opaque). */
export interface Referral {
  ref: string;
  source?: string;
  type?: string;
}

/** An attachment as the thread shows it: its kind and link. */
export interface Attachment {
  type: string;
  url?: string;
  title?: string;
}

interface Base {
  /** The page the event belongs to (`entry.id`). */
  pageId: string;
  /** The sender's page-scoped id. */
  psid: string;
  /** When Meta says it happened, ms since the epoch. */
  timestamp: number;
}

export type MessengerEvent =
  | (Base & {
      kind: "message";
      mid: string;
      /** The text as the thread shows it: typed text, quick reply, attachment links. */
      text: string;
      attachments: Attachment[];
      referral?: Referral;
    })
  | (Base & { kind: "postback"; mid?: string; payload?: string; referral?: Referral })
  | (Base & { kind: "referral"; referral: Referral })
  | { kind: "echo"; pageId: string; mid?: string }
  | { kind: "other"; pageId: string };

export interface WebhookEntry {
  pageId: string;
  events: MessengerEvent[];
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const str = (value: unknown): string | undefined =>
  typeof value === "string" && value !== "" ? value : undefined;
/** Ids arrive as strings; some older payloads and examples carry numbers. */
const id = (value: unknown): string | undefined =>
  typeof value === "number" && Number.isSafeInteger(value) ? String(value) : str(value);

/** Meta's `timestamp` in ms; newer payloads may send a numeric string, or seconds. */
function timestampOf(value: unknown): number | undefined {
  const n = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof n !== "number" || !Number.isFinite(n) || n <= 0) return undefined;
  return n < 1e12 ? n * 1000 : n;
}

/** The longest text one Messenger event adds to the thread (text plus attachment links). */
export const MAX_EVENT_TEXT = 8000;

function referralOf(value: unknown): Referral | undefined {
  if (!isObject(value)) return undefined;
  const ref = str(value.ref);
  if (!ref) return undefined;
  const referral: Referral = { ref };
  const source = str(value.source);
  const type = str(value.type);
  if (source) referral.source = source;
  if (type) referral.type = type;
  return referral;
}

function attachmentsOf(value: unknown): Attachment[] {
  if (!Array.isArray(value)) return [];
  return value.filter(isObject).map((a) => {
    const payload = isObject(a.payload) ? a.payload : {};
    const attachment: Attachment = { type: str(a.type) ?? "file" };
    const url = str(payload.url) ?? str(a.url);
    const title = str(payload.title) ?? str(a.title);
    if (url && /^https?:\/\//i.test(url)) attachment.url = url;
    if (title) attachment.title = title;
    return attachment;
  });
}

/** What the thread shows for a message: its text, the quick reply it answers, its attachments. */
function messageText(message: Json, attachments: Attachment[]): string {
  const lines: string[] = [];
  const text = str(message.text);
  const quickReply = isObject(message.quick_reply) ? str(message.quick_reply.payload) : undefined;
  if (text) lines.push(text);
  else if (quickReply) lines.push(quickReply);
  for (const a of attachments) {
    lines.push([`[${a.type}]`, a.title, a.url].filter(Boolean).join(" "));
  }
  return lines.join("\n").slice(0, MAX_EVENT_TEXT);
}

function eventOf(pageId: string, raw: unknown): MessengerEvent {
  if (!isObject(raw)) return { kind: "other", pageId };
  const message = isObject(raw.message) ? raw.message : undefined;
  if (message?.is_echo === true) {
    const mid = str(message.mid);
    return mid ? { kind: "echo", pageId, mid } : { kind: "echo", pageId };
  }
  const psid = isObject(raw.sender) ? id(raw.sender.id) : undefined;
  const timestamp = timestampOf(raw.timestamp);
  // Without a sender there is nobody to link; the page writing to itself is an echo.
  if (!psid || psid === pageId || timestamp === undefined) return { kind: "other", pageId };
  const base = { pageId, psid, timestamp };
  const referral = referralOf(raw.referral);

  if (message) {
    const mid = str(message.mid);
    const attachments = attachmentsOf(message.attachments);
    const text = messageText(message, attachments);
    if (mid && text) {
      return {
        kind: "message",
        ...base,
        mid,
        text,
        attachments,
        ...(referral ? { referral } : {}),
      };
    }
  }
  if (isObject(raw.postback)) {
    const postbackReferral = referralOf(raw.postback.referral) ?? referral;
    const mid = str(raw.postback.mid);
    const payload = str(raw.postback.payload);
    return {
      kind: "postback",
      ...base,
      ...(mid ? { mid } : {}),
      ...(payload ? { payload } : {}),
      ...(postbackReferral ? { referral: postbackReferral } : {}),
    };
  }
  if (referral) return { kind: "referral", ...base, referral };
  return { kind: "other", pageId };
}

/**
 * Reads a verified webhook body: `{ object: "page", entry: [{ id, time, messaging: [...] }] }`,
 * several entries and several events each, in Meta's order. Another `object` answers no entries
 * (acknowledged and dropped); a body that is not Meta's shape at all is a `bad_request`.
 *
 * @example
 * for (const entry of parseWebhook(JSON.parse(raw))) for (const event of entry.events) …
 */
export function parseWebhook(body: unknown): WebhookEntry[] {
  if (!isObject(body) || !Array.isArray(body.entry)) {
    throw new AppError("bad_request", 'A webhook body is { "object": "page", "entry": [...] }');
  }
  if (body.object !== "page") return [];
  const entries: WebhookEntry[] = [];
  for (const entry of body.entry) {
    const pageId = isObject(entry) ? id(entry.id) : undefined;
    if (!pageId || !isObject(entry)) continue;
    const messaging = Array.isArray(entry.messaging) ? entry.messaging : [];
    entries.push({ pageId, events: messaging.map((raw) => eventOf(pageId, raw)) });
  }
  return entries;
}
