/**
 * One contact's record as one JSON document: what a customer asking "what do you hold on me?"
 * is given, and what a CRM migrating away takes along.
 */
import type { Contact } from "../../sdk/protocol.ts";
import type { Attachments } from "../attachments/service.ts";
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
 * const document = await exportContact({ store, attachments }, contact, Date.now());
 */
export async function exportContact(
  { store, attachments }: { store: Store; attachments: Pick<Attachments, "link"> },
  contact: Contact,
  now: number,
) {
  const ids = await store.contactConversationIds(contact.id);
  const conversations = [];
  for (const id of ids) {
    const conversation = await store.getConversation(id);
    if (!conversation) continue;
    const [events, callbacks, files] = await Promise.all([
      allEvents(store, id),
      store.conversationCallbacks(id),
      store.conversationAttachments(id),
    ]);
    const listed = await Promise.all(
      files.map(async ({ id, name, type, size, createdAt, from }) => ({
        id,
        name,
        type,
        size,
        createdAt,
        from,
        url: await attachments.link(id),
      })),
    );
    conversations.push({ conversation, events, callbacks, attachments: listed });
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
