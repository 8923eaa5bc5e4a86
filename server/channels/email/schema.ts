/**
 * The inbound mail webhooks' payloads, as schemas: Postmark's inbound JSON and Mailgun's route
 * form (its fields, read into an object of strings). Both are read only after the request proved
 * who sent it (the inbound secret, Mailgun's signature). Inside a payload nothing is trusted and
 * little fails: a field of the wrong type reads as absent, so a provider is never asked to
 * retry a mail that will never fit.
 */
import * as v from "valibot";
import { count, loose, sifted, tolerant } from "../../schema/fields.ts";
import type { Assert, Same } from "../../schema/frames.ts";
import type { InboundOutcome } from "./inbound.ts";

const str = tolerant(v.string());
/** An address as Postmark splits it (`MailboxHash` is the part after `+`, unread here). */
const mailbox = loose({ Email: str, Name: str });
/** A list of addresses; items that are not objects are dropped. */
const mailboxes = tolerant(sifted(mailbox));

/**
 * Postmark's inbound webhook JSON (its documented fields that we read): `FromFull`, `ToFull`/`To`,
 * `CcFull`/`Cc`, `OriginalRecipient`, `Subject`, `TextBody`, `HtmlBody`, `StrippedTextReply`,
 * `Headers: [{ Name, Value }]`, `MessageID` (Postmark's own id; the mail's `Message-ID` is in
 * `Headers`) and `Attachments: [{ Name, ContentType, ContentLength, Content }]`.
 */
export const PostmarkInbound = loose({
  From: str,
  FromFull: tolerant(mailbox),
  To: str,
  ToFull: mailboxes,
  Cc: str,
  CcFull: mailboxes,
  OriginalRecipient: str,
  Subject: str,
  MessageID: str,
  TextBody: str,
  HtmlBody: str,
  StrippedTextReply: str,
  Headers: tolerant(sifted(loose({ Name: v.pipe(v.string(), v.nonEmpty()), Value: v.string() }))),
  /** Each file: its name, type, length and `Content` (base64), which is kept in the thread's files. */
  Attachments: tolerant(
    sifted(loose({ Name: str, ContentType: str, ContentLength: tolerant(count), Content: str })),
  ),
});
export type PostmarkInbound = v.InferOutput<typeof PostmarkInbound>;

/** A header list as Mailgun sends it: JSON `[[name, value], …]`; other items are dropped. */
const headerPairs = v.pipe(
  v.string(),
  v.description("The mail's headers, as JSON `[[name, value], …]` in their order"),
  v.parseJson(undefined, "must be JSON"),
  v.fallback(sifted(v.tuple([v.string(), v.string()])), []),
);

const field = (description: string) => v.optional(v.pipe(v.string(), v.description(description)));

/**
 * Mailgun's route form (`forward()` posts `application/x-www-form-urlencoded`, or
 * `multipart/form-data` with the files as `attachment-1`…`attachment-N`), its text fields: a
 * form's fields are all strings, so only a `message-headers` that is not JSON can fail. A route
 * whose URL ends in `mime` posts the whole message in `body-mime` instead.
 */
export const MailgunForm = loose({
  timestamp: field("Seconds since 1970, signed"),
  token: field("A one-time random string, signed"),
  signature: field("Hex HMAC-SHA256 of timestamp + token with the signing key"),
  recipient: field("The SMTP envelope's recipients (RCPT TO), comma-separated"),
  sender: field("The SMTP envelope's sender (MAIL FROM)"),
  from: field('The From header, decoded: "Ana <ana@example.com>"'),
  subject: field("The Subject header, decoded"),
  "body-plain": field("The text body (made from the HTML when there is none)"),
  "body-html": field("The HTML body"),
  "body-mime": field("The whole RFC 5322 message (a route URL ending in mime)"),
  "stripped-text": field("The text without quoted parts and signature"),
  "message-headers": v.optional(headerPairs, "[]"),
  "Message-Id": field("The Message-ID header"),
  "In-Reply-To": field("The In-Reply-To header"),
  References: field("The References header"),
  Subject: field("The Subject header"),
  From: field("The From header"),
  To: field("The To header"),
});
export type MailgunForm = v.InferOutput<typeof MailgunForm>;

/** The three fields Mailgun signs with: a timestamp in seconds, a one-time token, the HMAC. */
export const MailgunSignature = loose({
  timestamp: v.pipe(v.string(), v.regex(/^\d{1,12}$/)),
  token: v.pipe(v.string(), v.nonEmpty()),
  signature: v.string(),
});

/** A form's text fields as an object (the first value of each name); files stay in the form. */
export function formFields(form: FormData): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [name, value] of form.entries()) {
    if (typeof value === "string" && !Object.hasOwn(fields, name)) fields[name] = value;
  }
  return fields;
}

/** What an inbound webhook answers: what happened to the mail (2xx either way). */
export const InboundOutcomeBody = v.variant("status", [
  v.object({
    status: v.literal("accepted"),
    conversationId: v.string(),
    seq: v.number(),
    duplicate: v.boolean(),
  }),
  v.object({
    status: v.literal("ignored"),
    reason: v.picklist([
      "auto-submitted",
      "precedence",
      "x-autoreply",
      "null-sender",
      "bounce",
      "list",
      "empty",
    ]),
  }),
  v.object({
    status: v.literal("parked"),
    reason: v.picklist(["expired", "invalid", "no_thread", "no_sender"]),
  }),
]);

/** Fails `npm run typecheck` when the answer's schema and `InboundOutcome` drift apart. */
export type OutcomeSchemaCheck = Assert<
  Same<v.InferOutput<typeof InboundOutcomeBody>, InboundOutcome>
>;
