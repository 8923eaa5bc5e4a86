import type { Conversation, ConversationSnapshot, SiteInfo } from "../../sdk/protocol.ts";
import type { SiteConfig } from "../config.ts";
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
    site: siteInfo(s.site(conversation.siteId)),
    token,
    conversation: conversationForVisitor(conversation),
    events: await s.threads.eventsAfter(conversation.id, 0, "visitor"),
  };
}

/**
 * The public face of a site. Handoff channels join `channels` as their modules land; a channel
 * is listed only when the site has configured it, so the widget never offers a dead end.
 */
export function siteInfo(site: SiteConfig): SiteInfo {
  return {
    id: site.id,
    name: site.name,
    locale: site.locale,
    ...(site.greeting ? { greeting: site.greeting } : {}),
    channels: [],
  };
}
