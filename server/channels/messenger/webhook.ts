import type * as v from "valibot";
import { AppError } from "../../errors.ts";
import { parseWith } from "../../schema/check.ts";
import type { MessagingEvent, Referral as ReferralSchema } from "./schema.ts";
import { WebhookBody } from "./schema.ts";

/**
 * Meta's webhook body, read into plain events. Only the parts omnithread acts on are kept;
 * everything else (deliveries, reads, reactions, standby) is `other` and acknowledged.
 * Parsing never trusts shapes: a field of the wrong type reads as absent (`./schema.ts`).
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
      /** The text as the thread shows it: typed text or quick reply, and what is not a file. */
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

/** The longest text one Messenger event adds to the thread (text plus attachment links). */
export const MAX_EVENT_TEXT = 8000;

type RawReferral = v.InferOutput<typeof ReferralSchema>;
type RawMessage = NonNullable<MessagingEvent["message"]>;

function referralOf(raw: RawReferral): Referral | undefined {
  if (!raw?.ref) return undefined;
  const referral: Referral = { ref: raw.ref };
  if (raw.source) referral.source = raw.source;
  if (raw.type) referral.type = raw.type;
  return referral;
}

function attachmentsOf(raw: RawMessage["attachments"]): Attachment[] {
  return (raw ?? []).map((a) => {
    const attachment: Attachment = { type: a.type ?? "file" };
    const url = a.payload?.url ?? a.url;
    const title = a.payload?.title ?? a.title;
    if (url && /^https?:\/\//i.test(url)) attachment.url = url;
    if (title) attachment.title = title;
    return attachment;
  });
}

/** Attachment types that are files (kept in the thread's storage); the rest are shown as lines. */
const FILE_TYPES = new Set(["image", "video", "audio", "file"]);

/** Whether an attachment is a file to keep: one of the file types, with its CDN link. */
export const isFile = (a: Attachment): a is Attachment & { url: string } =>
  FILE_TYPES.has(a.type) && a.url !== undefined;

/**
 * What the thread shows for a message: its text, the quick reply it answers, and a line for
 * each attachment that is not a file (a location, a shared post); files go as attachments.
 */
function messageText(message: RawMessage, attachments: Attachment[]): string {
  const lines: string[] = [];
  if (message.text) lines.push(message.text);
  else if (message.quick_reply?.payload) lines.push(message.quick_reply.payload);
  for (const a of attachments) {
    if (!isFile(a)) lines.push([`[${a.type}]`, a.title, a.url].filter(Boolean).join(" "));
  }
  return lines.join("\n").slice(0, MAX_EVENT_TEXT);
}

function eventOf(pageId: string, raw: MessagingEvent): MessengerEvent {
  const message = raw.message;
  if (message?.is_echo === true) {
    return message.mid ? { kind: "echo", pageId, mid: message.mid } : { kind: "echo", pageId };
  }
  const psid = raw.sender?.id;
  const timestamp = raw.timestamp;
  // Without a sender there is nobody to link; the page writing to itself is an echo.
  if (!psid || psid === pageId || timestamp === undefined) return { kind: "other", pageId };
  const base = { pageId, psid, timestamp };
  const referral = referralOf(raw.referral);

  if (message) {
    const mid = message.mid;
    const attachments = attachmentsOf(message.attachments);
    const text = messageText(message, attachments);
    if (mid && (text || attachments.some(isFile))) {
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
  if (raw.postback) {
    const postbackReferral = referralOf(raw.postback.referral) ?? referral;
    const { mid, payload } = raw.postback;
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
 * (acknowledged and dropped); a body that is not Meta's envelope is a `bad_request` naming the
 * field (`"entry" must be an array`); entries without a page id are skipped.
 *
 * @example
 * for (const entry of parseWebhook(parseJsonBytes(raw))) for (const event of entry.events) …
 */
export function parseWebhook(body: unknown): WebhookEntry[] {
  const envelope = parseWith(WebhookBody, body, (message) => {
    throw new AppError("bad_request", message);
  });
  if (envelope.object !== "page") return [];
  return envelope.entry.flatMap(({ id: pageId, messaging }) =>
    pageId ? [{ pageId, events: (messaging ?? []).map((raw) => eventOf(pageId, raw)) }] : [],
  );
}
