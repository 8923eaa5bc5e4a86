import type { Agent, ChannelName, Conversation, ThreadEvent } from "../../sdk/protocol.ts";
import { AppError } from "../errors.ts";
import type { StoredAttachment } from "../store/types.ts";
import type { Services } from "./services.ts";

/**
 * Sends an agent's message to the visitor: stored in the thread, then delivered by the channel
 * named (default: the visitor's active one). A channel that cannot deliver now is refused
 * before anything is stored; a delivery that fails stays in the thread with the reason.
 *
 * @example
 * const { event, deliveredVia } = await replyToVisitor(s, agent, conversation, { text: "Hi!" });
 */
export async function replyToVisitor(
  s: Services,
  agent: Agent,
  conversation: Conversation,
  message: {
    text?: string | undefined;
    attachments?: StoredAttachment[] | undefined;
    channel?: ChannelName;
    clientId?: string;
  },
): Promise<{ event: ThreadEvent; duplicate: boolean; deliveredVia: ChannelName }> {
  const site = s.site(agent.siteId);
  const via = message.channel ?? conversation.activeChannel;
  // The web channel delivers through live sockets; the others through their modules.
  const channel = via === "web" ? null : s.channels.get(via);
  if (via !== "web") {
    if (!channel?.configured(site)) {
      throw new AppError(
        "channel_not_configured",
        `Replies by ${via} are not configured for this site`,
      );
    }
    if (!conversation.channels.some((linked) => linked.channel === via)) {
      throw new AppError("channel_unavailable", `The visitor has not continued in ${via}`);
    }
    await channel.checkDelivery?.(s.port, conversation);
  }
  const { event, duplicate } = await s.threads.postAgentMessage(conversation.id, agent, {
    text: message.text,
    attachments: message.attachments,
    channel: via,
    ...(message.clientId ? { clientId: message.clientId } : {}),
  });
  if (via === "web" && !duplicate) {
    // The web reply reaches live sockets only; other channels may carry it on if unseen.
    for (const other of s.channels.values()) {
      if (other.configured(site)) other.webReplied?.(s.port, conversation, event);
    }
  }
  if (channel && !duplicate) {
    try {
      await channel.deliver(s.port, conversation, event);
    } catch (error) {
      // Kept in the thread either way; the agent sees why it did not go out.
      await s.threads.noteDeliveryFailure(conversation.id, event, error);
      throw error;
    }
  }
  return { event, duplicate, deliveredVia: via };
}
