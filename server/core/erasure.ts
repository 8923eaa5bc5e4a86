/**
 * Erasure: a contact on request (GDPR art. 17), or conversations past the site's retention.
 * The store deletes; this tells every instance, so consoles drop the threads and the visitors'
 * sockets close.
 */
import type { Store } from "../store/types.ts";

/**
 * @example
 * const erased = await erase(store, "shop", { conversationIds, contactId });
 */
export async function erase(
  store: Store,
  siteId: string,
  target: { conversationIds: readonly string[]; contactId?: string },
): Promise<{ conversations: number; events: number }> {
  const erased = await store.erase(siteId, target);
  await Promise.all(
    target.conversationIds.map((conversationId) =>
      store.publish({ kind: "erased", siteId, conversationId }),
    ),
  );
  return erased;
}
