import type { Conversation } from "../../../sdk/protocol.ts";
import { AppError } from "../../errors.ts";
import { keepFiles } from "../keep-files.ts";
import type { ChannelPort } from "../port.ts";
import { loggable, parseMessageId, parseReplyAddress } from "./address.ts";
import { type AutomatedReason, automatedReason } from "./loop.ts";
import type { EmailSite } from "./outbound.ts";
import type { InboundMail } from "./parse.ts";
import { stripReply } from "./strip.ts";

/**
 * What an inbound mail does to threads. The thread is found by the `reply+<handle>` recipient
 * or, failing that, by an `In-Reply-To`/`References` id of ours (each carries a handle, so both
 * are checked by the same MAC, and either suffices). Automatic mail is dropped; mail for no
 * valid thread is parked (logged, never posted); the rest lands as the visitor's message,
 * once per `Message-ID`.
 */

/** The longest text one mail adds to the thread; the full original stays in `data`. */
export const MAX_MAIL_TEXT = 8000;
/** The original kept for agents, at most. */
const MAX_ORIGINAL = 100_000;

export type InboundOutcome =
  | { status: "accepted"; conversationId: string; seq: number; duplicate: boolean }
  | { status: "ignored"; reason: AutomatedReason | "empty" }
  | { status: "parked"; reason: "expired" | "invalid" | "no_thread" | "no_sender" };

export type MatchResult =
  | { conversation: Conversation; site: EmailSite; by: "address" | "references" }
  | { refused: "expired" | "invalid" | "no_thread" };

const emailSites = (s: ChannelPort): EmailSite[] =>
  s.sites.filter((site): site is EmailSite => Boolean(site.email?.replyDomain));

/** The site whose reply domain this is, or null. */
export function siteOfDomain(s: ChannelPort, domain: string): EmailSite | null {
  return emailSites(s).find((site) => site.email.replyDomain.toLowerCase() === domain) ?? null;
}

/**
 * The thread a handle of ours (from a reply address or a Message-ID) opens on the site whose
 * reply domain it came in on; `expired`/`invalid` otherwise.
 */
export async function openHandle(
  s: ChannelPort,
  handle: string,
  domain: string,
): Promise<MatchResult> {
  const site = siteOfDomain(s, domain);
  if (!site) return { refused: "invalid" };
  try {
    const { conversationId } = await s.handles.open(handle, "email");
    const conversation = await s.store.getConversation(conversationId);
    // Another site's handle proves nothing on this domain.
    if (!conversation || conversation.siteId !== site.id) return { refused: "invalid" };
    return { conversation, site, by: "address" };
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    return { refused: error.code === "token_expired" ? "expired" : "invalid" };
  }
}

/** Finds the thread by recipient first, then by the ids the mail replies to. */
export async function matchThread(s: ChannelPort, mail: InboundMail): Promise<MatchResult> {
  let refused: "expired" | "invalid" | null = null;
  for (const recipient of mail.recipients) {
    const parsed = parseReplyAddress(recipient);
    if (!parsed || !siteOfDomain(s, parsed.domain)) continue;
    const found = await openHandle(s, parsed.handle, parsed.domain);
    if ("conversation" in found) return found;
    refused ??= found.refused === "no_thread" ? null : found.refused;
  }
  for (const id of mail.replyTo) {
    const parsed = parseMessageId(id);
    if (!parsed || !siteOfDomain(s, parsed.domain)) continue;
    const found = await openHandle(s, parsed.handle, parsed.domain);
    if ("conversation" in found) return { ...found, by: "references" };
    refused ??= found.refused === "no_thread" ? null : found.refused;
  }
  return { refused: refused ?? "no_thread" };
}

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** The idempotency key of an inbound mail: its Message-ID, else its content. */
async function mailKey(mail: InboundMail): Promise<string> {
  const basis = mail.messageId?.toLowerCase() ?? `${mail.from}\n${mail.subject}\n${mail.text}`;
  return `email:${(await sha256Hex(basis)).slice(0, 40)}`;
}

/**
 * Applies one inbound mail. Never throws for mail it cannot place (the outcome says why), so
 * providers are not asked to retry what will never fit; a failing store still throws.
 *
 * @example
 * const outcome = await receiveMail(s, await parseRaw(bytes));
 */
export async function receiveMail(s: ChannelPort, mail: InboundMail): Promise<InboundOutcome> {
  const facts = {
    from: mail.from,
    messageId: mail.messageId && loggable(mail.messageId),
    recipients: mail.recipients.slice(0, 5).map(loggable),
  };
  const automated = automatedReason(mail.header, {
    from: mail.from,
    ...(mail.returnPath !== undefined ? { returnPath: mail.returnPath } : {}),
  });
  if (automated) {
    s.log.info("email ignored: automatic mail", { ...facts, reason: automated });
    return { status: "ignored", reason: automated };
  }
  if (!mail.from) {
    s.log.warn("email parked: no sender", facts);
    return { status: "parked", reason: "no_sender" };
  }
  const match = await matchThread(s, mail);
  if ("refused" in match) {
    s.log.warn("email parked: no thread for it", { ...facts, reason: match.refused });
    return { status: "parked", reason: match.refused };
  }
  const { conversation } = match;
  const stripped = stripReply(mail.text, { subject: mail.subject });
  const fallback = mail.providerStripped?.trim();
  const body = stripped.stripped || !fallback ? stripped.text : fallback;
  if (body.trim() === "" && mail.attachments.length === 0) {
    s.log.info("email ignored: nothing written", facts);
    return { status: "ignored", reason: "empty" };
  }
  const clientId = await mailKey(mail);
  const { attachments, lines } = await keepFiles(
    s,
    conversation,
    "email",
    mail.attachments.map((file, i) => ({
      key: `${clientId}:${i}`,
      name: file.filename,
      kind: "attachment",
      download: async () => file.bytes,
    })),
  );
  const text = [body, ...lines].filter((l) => l.trim() !== "").join("\n");
  const linked = conversation.channels.find((c) => c.channel === "email")?.address;
  const fromOther = linked !== undefined && linked !== mail.from;
  const { event, duplicate } = await s.threads.postVisitorMessage(conversation.id, {
    clientId,
    text: text.slice(0, MAX_MAIL_TEXT),
    attachments,
    channel: "email",
    data: {
      ...(mail.messageId ? { messageId: mail.messageId } : {}),
      from: mail.from,
      ...(mail.fromName ? { fromName: mail.fromName } : {}),
      ...(fromOther ? { fromOther: true, linkedAddress: linked } : {}),
      subject: mail.subject.slice(0, 300),
      matchedBy: match.by,
      stripped: stripped.stripped,
      ...(stripped.forwarded ? { forwarded: true } : {}),
      original: mail.text.slice(0, MAX_ORIGINAL),
      ...(mail.attachments.length
        ? { attachments: mail.attachments.map(({ bytes: _, ...about }) => about) }
        : {}),
    },
  });
  // The visitor wrote by email last: replies go there (to the address we wrote to).
  if (!duplicate && conversation.activeChannel !== "email") {
    await s.threads.linkChannel(conversation.id, "email", linked ?? mail.from);
  }
  return { status: "accepted", conversationId: conversation.id, seq: event.seq, duplicate };
}
