import type { Conversation, ConversationSnapshot } from "../../sdk/protocol.ts";
import { conversationForVisitor } from "../core/visibility.ts";
import type { Services } from "./services.ts";

/** The snapshot a visitor continues from: a fresh token for the thread and its visible history. */
export async function snapshotFor(
  s: Services,
  conversation: Conversation,
): Promise<ConversationSnapshot> {
  const { token } = await s.tokens.signConversationToken({
    contactId: conversation.contactId,
    conversationId: conversation.id,
    siteId: conversation.siteId,
  });
  return {
    token,
    conversation: conversationForVisitor(conversation),
    events: await s.threads.eventsAfter(conversation.id, 0, "visitor"),
  };
}
