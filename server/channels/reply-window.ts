import type { ChannelName, ThreadEvent } from "../../sdk/protocol.ts";
import type { ChannelPort } from "./port.ts";

/**
 * When the visitor last reached out by a channel, per a stored event, or null when the event is
 * not such a moment: their message there, or one of the channel's system events that count
 * (Messenger's opening from an m.me link). The platform's own timestamp (`data.sentAt`) counts,
 * never later than the event was stored: a message re-delivered hours late opened the window
 * when it was sent. Messenger's and WhatsApp's reply windows are counted from it.
 *
 * @example
 * const at = inboundTime(event, "whatsapp");
 */
export function inboundTime(
  event: ThreadEvent,
  channel: ChannelName,
  interactions: ReadonlySet<string> = new Set(),
): number | null {
  if (event.channel !== channel) return null;
  const inbound =
    (event.type === "message" && event.author.role === "visitor") ||
    (event.type === "system" && interactions.has(event.name ?? ""));
  if (!inbound) return null;
  const stored = Date.parse(event.createdAt);
  const sent = typeof event.data?.sentAt === "string" ? Date.parse(event.data.sentAt) : Number.NaN;
  const at = Number.isNaN(sent) ? stored : Math.min(sent, stored);
  return Number.isNaN(at) ? null : at;
}

/**
 * Records on the conversation's channel entry (`replyUntil`) that the visitor's message of
 * `sentAt` (ISO) opened a reply window of `windowMs`, so the console shows it before the agent types.
 *
 * @example
 * await openWindow(port, thread.id, "whatsapp", sentAt, 24 * 3_600_000);
 */
export async function openWindow(
  port: ChannelPort,
  conversationId: string,
  channel: ChannelName,
  sentAt: string,
  windowMs: number,
): Promise<void> {
  const at = Date.parse(sentAt);
  if (Number.isNaN(at)) return;
  await port.threads.openReplyWindow(
    conversationId,
    channel,
    new Date(at + windowMs).toISOString(),
  );
}
