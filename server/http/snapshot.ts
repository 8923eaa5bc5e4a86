import type { Conversation, ConversationSnapshot, SiteInfo } from "../../sdk/protocol.ts";
import { isOpen } from "../core/hours.ts";
import { greetingFor, journeyStage } from "../core/journey.ts";
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
    site: await siteInfo(s, conversation),
    token,
    conversation: conversationForVisitor(conversation),
    events: await s.attachments.presentAll(
      await s.threads.eventsAfter(conversation.id, 0, "visitor"),
    ),
  };
}

/**
 * The public face of a site for this visitor: the greeting for their journey stage, whether the
 * team is open and at the console, and the handoff channels it offers. Channels join the list
 * as their modules land, and only when the site has configured them: never a dead end.
 */
export async function siteInfo(s: Services, conversation: Conversation): Promise<SiteInfo> {
  const site = s.site(conversation.siteId);
  const now = s.now();
  const [contact, theirs, present] = await Promise.all([
    s.store.getContact(conversation.contactId),
    s.store.contactConversationIds(conversation.contactId),
    s.presence.list(site.id),
  ]);
  const stage = journeyStage(site, conversation, contact, theirs.length, now);
  const greeting = greetingFor(site, stage);
  return {
    id: site.id,
    name: site.name,
    locale: site.locale,
    stage,
    ...(greeting ? { greeting } : {}),
    open: isOpen(site.businessHours, now),
    agentsOnline: Object.values(present).includes("online"),
    channels: [...s.channels.values()].filter((c) => c.configured(site)).map((c) => c.name),
  };
}
