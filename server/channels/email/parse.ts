import PostalMime, { type Address, addressParser, type Email } from "postal-mime";
import { AppError } from "../../errors.ts";
import { parseWith } from "../../schema/check.ts";
import { messageIds, normalizeAddress } from "./address.ts";
import { fixFlowedDecoding } from "./flowed.ts";
import { htmlToText } from "./html.ts";
import { FORWARD_SUBJECT } from "./quote-headers.ts";
import { formFields, MailgunForm, PostmarkInbound } from "./schema.ts";

/**
 * Inbound mail in one shape, whichever way it came: raw RFC 5322 (the raw webhook and the SMTP
 * listener, parsed by postal-mime: charsets and transfer encodings decoded), Postmark's inbound
 * JSON, or Mailgun's route form (their schemas in `./schema.ts`). Nothing here trusts a field's
 * type.
 */

// Before any mail is parsed: Thunderbird's flowed replies must keep their quotes apart.
fixFlowedDecoding();

export interface AttachmentInfo {
  filename: string;
  mimeType: string;
  size: number;
  /** The file itself: kept in the thread's files (docs/architecture.md §12). */
  bytes: Uint8Array;
}

export interface InboundMail {
  /** The author's address (From), normalized, or null. */
  from: string | null;
  fromName?: string;
  /** Every address the mail was for: envelope recipients first, then To, Cc, Delivered-To. */
  recipients: string[];
  subject: string;
  /** The `Message-ID` with brackets, or null. */
  messageId: string | null;
  /** `In-Reply-To` then `References`, newest first. */
  replyTo: string[];
  /** The whole text (HTML-only mail converted), before quotes are stripped. */
  text: string;
  /** A provider's own stripped reply, a fallback when ours finds nothing. */
  providerStripped?: string;
  attachments: AttachmentInfo[];
  /** First value of a header by lower-case name. */
  header(name: string): string | undefined;
  /** The envelope sender when known ("" for a bounce's null sender). */
  returnPath?: string | null;
}

function lookup(pairs: Array<[string, string]>): (name: string) => string | undefined {
  const map = new Map<string, string>();
  for (const [key, value] of pairs) {
    const k = key.toLowerCase();
    if (!map.has(k)) map.set(k, value);
  }
  return (name) => map.get(name.toLowerCase());
}

/** Addresses inside a header value like `"Ana" <ana@x.example>, bob@y.example`. */
function addressesIn(value: string | undefined): string[] {
  if (!value) return [];
  return addressParser(value, { flatten: true })
    .map((a) => normalizeAddress(a.address ?? ""))
    .filter((a): a is string => a !== null);
}

function replyIds(header: (name: string) => string | undefined): string[] {
  const ids = [...messageIds(header("in-reply-to")), ...messageIds(header("references")).reverse()];
  return [...new Set(ids)];
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

function bodyText(text: string | undefined, html: string | undefined, subject = ""): string {
  if (text && text.trim() !== "") return text;
  return html ? htmlToText(html, { forward: FORWARD_SUBJECT.test(subject) }) : "";
}

/**
 * Parses an RFC 5322 message with postal-mime. `envelope` is what SMTP said (MAIL FROM, RCPT TO),
 * when known.
 *
 * @example
 * const mail = await parseRaw(bytes, { from: "ana@x.example", to: ["reply+…@reply.example.com"] });
 */
export async function parseRaw(
  raw: string | Uint8Array,
  envelope: { from?: string | null; to?: string[] } = {},
): Promise<InboundMail> {
  let email: Email;
  try {
    email = await PostalMime.parse(raw, { attachmentEncoding: "arraybuffer" });
  } catch (error) {
    throw new AppError("bad_request", `Not a parsable RFC 5322 message: ${String(error)}`);
  }
  if (email.headers.length === 0) throw new AppError("bad_request", "The message has no headers");
  const header = lookup(email.headers.map((h) => [h.key, h.value]));
  const from = email.from && "address" in email.from ? email.from : undefined;
  const listed = (list: Address[] | undefined) =>
    (list ?? []).flatMap((a) => (a.group ? a.group : [a])).map((a) => a.address ?? "");
  const recipients = [
    ...(envelope.to ?? []),
    ...listed(email.to),
    ...listed(email.cc),
    ...(email.deliveredTo ? [email.deliveredTo] : []),
    ...addressesIn(header("x-original-to")),
  ]
    .map((a) => normalizeAddress(a))
    .filter((a): a is string => a !== null);
  const returnPath =
    envelope.from !== undefined ? envelope.from : (header("return-path") ?? undefined);
  return {
    from: normalizeAddress(from?.address ?? ""),
    ...(from?.name ? { fromName: from.name } : {}),
    recipients: unique(recipients),
    subject: email.subject ?? "",
    messageId: messageIds(email.messageId)[0] ?? null,
    replyTo: replyIds(header),
    text: bodyText(email.text, email.html, email.subject),
    // Parts sent as attachments, and images shown inline (a pasted screenshot): both are files
    // the customer sent. Other inline parts (a signature's logo has a name, a stray text part
    // has none) are kept only when named.
    attachments: email.attachments
      .filter((a) => a.disposition !== "inline" || a.filename || a.mimeType.startsWith("image/"))
      .map((a) => {
        const bytes =
          typeof a.content === "string"
            ? new TextEncoder().encode(a.content)
            : a.content instanceof ArrayBuffer
              ? new Uint8Array(a.content)
              : new Uint8Array(a.content.buffer, a.content.byteOffset, a.content.byteLength);
        return {
          filename: a.filename ?? (a.disposition === "inline" ? "inline-image" : "attachment"),
          mimeType: a.mimeType,
          size: bytes.length,
          bytes,
        };
      }),
    header,
    ...(returnPath !== undefined ? { returnPath } : {}),
  };
}

/** Base64 as Postmark sends a file's `Content` (line breaks allowed); what is not base64 is empty. */
function base64Bytes(text: string): Uint8Array {
  try {
    return Uint8Array.from(atob(text.replace(/\s+/g, "")), (c) => c.charCodeAt(0));
  } catch {
    return new Uint8Array();
  }
}

const refuse = (message: string): never => {
  throw new AppError("bad_request", message);
};

/**
 * Reads Postmark's inbound webhook JSON by its schema ({@link PostmarkInbound}): a body that is
 * not an object is a `bad_request`; a field of the wrong type reads as absent.
 *
 * @example
 * const mail = parsePostmark(await c.req.json());
 */
export function parsePostmark(input: unknown): InboundMail {
  const body = parseWith(PostmarkInbound, input, refuse);
  const header = lookup((body.Headers ?? []).map((h) => [h.Name, h.Value]));
  const full = (list: Array<{ Email?: string | undefined }> | undefined) =>
    (list ?? []).map((a) => a.Email ?? "");
  const recipients = [
    body.OriginalRecipient ?? "",
    ...full(body.ToFull),
    ...addressesIn(body.To),
    ...full(body.CcFull),
    ...addressesIn(body.Cc),
  ]
    .map((a) => normalizeAddress(a))
    .filter((a): a is string => a !== null);
  const messageId =
    messageIds(header("message-id"))[0] ??
    (body.MessageID ? `<${body.MessageID}@inbound.postmarkapp.com>` : null);
  const stripped = body.StrippedTextReply;
  const fromName = body.FromFull?.Name;
  return {
    from: normalizeAddress(body.FromFull?.Email ?? addressesIn(body.From)[0] ?? ""),
    ...(fromName ? { fromName } : {}),
    recipients: unique(recipients),
    subject: body.Subject ?? "",
    messageId,
    replyTo: replyIds(header),
    text: bodyText(body.TextBody, body.HtmlBody, body.Subject),
    ...(stripped?.trim() ? { providerStripped: stripped } : {}),
    attachments: (body.Attachments ?? []).map((a) => {
      const bytes = base64Bytes(a.Content ?? "");
      return {
        filename: a.Name ?? "attachment",
        mimeType: a.ContentType ?? "application/octet-stream",
        size: a.ContentLength ?? bytes.length,
        bytes,
      };
    }),
    header,
  };
}

/**
 * Reads Mailgun's route form by its schema ({@link MailgunForm}): the text fields, then the
 * `attachment-N` files from the form; or, for a route ending in `mime`, the whole message in
 * `body-mime`. A `message-headers` that is not JSON is a `bad_request`.
 *
 * @example
 * const mail = await parseMailgun(await c.req.formData());
 */
export async function parseMailgun(form: FormData): Promise<InboundMail> {
  const fields = parseWith(MailgunForm, formFields(form), refuse, "The form");
  const { recipient, sender } = fields;
  const mime = fields["body-mime"];
  if (mime) {
    return parseRaw(mime, {
      ...(sender !== undefined ? { from: sender } : {}),
      to: recipient ? recipient.split(",") : [],
    });
  }
  const pairs: Array<[string, string]> = [...fields["message-headers"]];
  for (const name of [
    "Message-Id",
    "In-Reply-To",
    "References",
    "Subject",
    "From",
    "To",
  ] as const) {
    const value = fields[name];
    if (value !== undefined) pairs.push([name, value]);
  }
  const header = lookup(pairs);
  const attachments: AttachmentInfo[] = [];
  for (const [name, value] of form.entries()) {
    if (/^attachment-\d+$/.test(name) && typeof value !== "string") {
      attachments.push({
        filename: value.name || "attachment",
        mimeType: value.type || "application/octet-stream",
        size: value.size,
        bytes: new Uint8Array(await value.arrayBuffer()),
      });
    }
  }
  const stripped = fields["stripped-text"];
  const fromHeader = fields.from ?? header("from");
  const author = fromHeader ? addressParser(fromHeader, { flatten: true })[0] : undefined;
  return {
    from: normalizeAddress(addressesIn(fromHeader)[0] ?? sender ?? ""),
    ...(author?.name ? { fromName: author.name } : {}),
    recipients: unique([
      ...addressesIn(recipient),
      ...addressesIn(header("to")),
      ...addressesIn(header("cc")),
    ]),
    subject: fields.subject ?? header("subject") ?? "",
    messageId: messageIds(header("message-id"))[0] ?? null,
    replyTo: replyIds(header),
    text: bodyText(fields["body-plain"], fields["body-html"], fields.subject ?? header("subject")),
    ...(stripped?.trim() ? { providerStripped: stripped } : {}),
    attachments,
    header,
    ...(sender !== undefined ? { returnPath: sender } : {}),
  };
}
