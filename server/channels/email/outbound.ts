import type { Conversation, ThreadEvent } from "../../../sdk/protocol.ts";
import type { EmailConfig, SiteConfig } from "../../config.ts";
import { AppError } from "../../errors.ts";
import type { ChannelPort } from "../port.ts";
import { newMessageId, replyAddress } from "./address.ts";
import {
  type Composed,
  fromHeader,
  type MailAttachment,
  type MailMessage,
  type MailTransport,
} from "./message.ts";

/** Reply addresses and Message-IDs keep working for months: people answer old mail. */
export const REPLY_TTL_S = 180 * 86_400;
/** Resume links in mails live as long as the reply address beside them. */
export const MAIL_RESUME_TTL_S = REPLY_TTL_S;
/** The system event that records each mail we sent (agents only). */
export const SENT_EVENT = "email.sent";
/** How many earlier ids a `References` header carries (the first and the latest). */
const MAX_REFERENCES = 10;
/** How far back the thread is read for earlier Message-IDs. */
const HISTORY = 1000;

export type EmailSite = SiteConfig & { email: EmailConfig };

/**
 * The Message-IDs of the thread's mail so far, oldest first: ours (`email.sent` events) and the
 * visitor's replies (their messages' `data.messageId`).
 */
export function threadMessageIds(events: ThreadEvent[]): string[] {
  const ids: string[] = [];
  for (const event of events) {
    const id = event.data?.messageId;
    if (typeof id !== "string") continue;
    if (event.name === SENT_EVENT || (event.type === "message" && event.channel === "email")) {
      if (!ids.includes(id)) ids.push(id);
    }
  }
  return ids;
}

function references(ids: string[]): string[] {
  if (ids.length <= MAX_REFERENCES) return ids;
  return [ids[0]!, ...ids.slice(-(MAX_REFERENCES - 1))];
}

/**
 * Sends one mail of a thread to `to`: a fresh reply address and Message-ID (both carrying an
 * email handle), `In-Reply-To`/`References` naming the thread's earlier mail, then records it
 * as an `email.sent` event. A transport failure throws `upstream_failed`.
 */
export async function sendThreadMail(
  s: ChannelPort,
  transport: MailTransport,
  input: {
    site: EmailSite;
    conversation: Conversation;
    to: string;
    compose: (resumeLink: string) => Composed;
    kind: "transcript" | "reply" | "callback";
    /** The agent message this mail carries. */
    seq?: number;
    /** Automatic mail (the transcript) says so, so out-of-office robots stay quiet. */
    automatic?: boolean;
    /** More facts for the `email.sent` event (why it went, what the visitor asked for). */
    data?: Record<string, unknown>;
    /** Files sent as MIME parts. */
    attachments?: MailAttachment[];
  },
): Promise<MailMessage> {
  const { site, conversation } = input;
  const handle = await s.handles.issue({
    conversationId: conversation.id,
    channel: "email",
    ttlSeconds: REPLY_TTL_S,
  });
  const history = await s.store.eventsAfter(
    conversation.id,
    Math.max(0, conversation.lastSeq - HISTORY),
  );
  const earlier = threadMessageIds(history);
  const link = await s.resumeLink(conversation.id, MAIL_RESUME_TTL_S);
  const composed = input.compose(link);
  const message: MailMessage = {
    from: fromHeader(site.name, site.email.from),
    to: input.to,
    replyTo: replyAddress(handle, site.email.replyDomain),
    subject: earlier.length ? `Re: ${composed.subject}` : composed.subject,
    text: composed.text,
    html: composed.html,
    messageId: newMessageId(handle, site.email.replyDomain),
    ...(earlier.length ? { inReplyTo: earlier.at(-1)!, references: references(earlier) } : {}),
    headers: input.automatic ? { "Auto-Submitted": "auto-generated" } : {},
    ...(input.attachments?.length ? { attachments: input.attachments } : {}),
  };
  try {
    await transport.send(message);
  } catch (error) {
    s.log.error("email send failed", { conversationId: conversation.id, error: String(error) });
    if (error instanceof AppError) throw error;
    throw new AppError("upstream_failed", "The mail server did not take the email");
  }
  await s.store.append(conversation.id, {
    type: "system",
    channel: "email",
    author: { role: "system" },
    name: SENT_EVENT,
    text: `Emailed to ${input.to}`,
    clientId: `email:sent:${message.messageId}`,
    createdAt: new Date(s.now()).toISOString(),
    data: {
      ...input.data,
      messageId: message.messageId,
      to: input.to,
      kind: input.kind,
      ...(input.seq !== undefined ? { seq: input.seq } : {}),
    },
  });
  return message;
}
