/**
 * One contact's record as one JSON document: what a customer asking "what do you hold on me?"
 * is given, and what a CRM migrating away takes along.
 */
import type { Contact } from "../../sdk/protocol.ts";
import { MAX_EVENTS_PER_READ, type Store } from "../store/types.ts";

/** Every event of a conversation, notes and system events included, page by page. */
async function allEvents(store: Store, conversationId: string) {
  const events = [];
  for (;;) {
    const page = await store.eventsAfter(conversationId, events.length, MAX_EVENTS_PER_READ);
    events.push(...page);
    if (page.length < MAX_EVENTS_PER_READ) return events;
  }
}

/**
 * @example
 * const document = await exportContact(store, contact, Date.now());
 */
export async function exportContact(store: Store, contact: Contact, now: number) {
  const ids = await store.contactConversationIds(contact.id);
  const conversations = [];
  for (const id of ids) {
    const conversation = await store.getConversation(id);
    if (!conversation) continue;
    const [events, callbacks] = await Promise.all([
      allEvents(store, id),
      store.conversationCallbacks(id),
    ]);
    conversations.push({ conversation, events, callbacks });
  }
  return {
    exportedAt: new Date(now).toISOString(),
    contact,
    identities: contact.identities,
    conversations,
    ratings: conversations.flatMap(({ conversation, events }) =>
      events
        .filter((event) => event.name === "csat.submitted")
        .map((event) => ({
          conversationId: conversation.id,
          rating: event.data?.rating,
          ...(event.data?.comment ? { comment: event.data.comment } : {}),
          at: event.createdAt,
        })),
    ),
  };
}
