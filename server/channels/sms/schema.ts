/**
 * What Twilio posts, as schemas (read only after `X-Twilio-Signature` matched): an incoming text
 * (`POST /webhooks/sms/twilio`) and a status callback of one we sent. Both are forms of strings;
 * only the fields we act on must be there and well shaped, the rest (Twilio adds fields over the
 * years: `FromCity`, `ApiVersion`, `SmsStatus` …) is left alone.
 */
import * as v from "valibot";
import { loose } from "../../schema/fields.ts";

const e164 = v.pipe(
  v.string("must be a string"),
  v.regex(/^\+[1-9]\d{6,14}$/, "must be a number in E.164"),
);
const sid = (prefix: string) =>
  v.pipe(
    v.string("must be a string"),
    v.regex(new RegExp(`^${prefix}[0-9a-fA-F]{32}$`), `must be a ${prefix}… SID`),
  );

/** An incoming SMS or MMS: `MessageSid` SM…/MM…, `NumMedia` with `MediaUrl<i>` per file. */
export const IncomingMessage = loose({
  MessageSid: v.union([sid("SM"), sid("MM")], "must be an SM… or MM… SID"),
  AccountSid: sid("AC"),
  From: e164,
  To: e164,
  Body: v.optional(v.string(), ""),
  NumMedia: v.optional(v.pipe(v.string(), v.regex(/^\d{1,2}$/, "must be a count")), "0"),
});

/** A status callback: how a text we sent is doing (`queued` … `delivered`, `undelivered`, `failed`). */
export const MessageStatus = loose({
  MessageSid: v.union([sid("SM"), sid("MM")], "must be an SM… or MM… SID"),
  AccountSid: sid("AC"),
  MessageStatus: v.string("must be a string"),
  To: v.optional(v.string(), ""),
  ErrorCode: v.optional(v.string()),
});

/**
 * The files of an MMS: Twilio keeps them at `MediaUrl<i>` (fetched with the account's auth; a
 * link that is neither https nor on `TWILIO_API_URL`'s host is not fetched).
 */
export function mediaOf(form: Record<string, string>): Array<{ url: string; type: string }> {
  const count = Math.min(Number(form.NumMedia ?? 0) || 0, 10);
  const files: Array<{ url: string; type: string }> = [];
  for (let i = 0; i < count; i++) {
    const url = form[`MediaUrl${i}`];
    if (url && /^https?:\/\//.test(url)) {
      files.push({ url, type: form[`MediaContentType${i}`] ?? "application/octet-stream" });
    }
  }
  return files;
}
