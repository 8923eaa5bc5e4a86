/**
 * Erasure: a contact on request (GDPR art. 17), or conversations past the site's retention.
 * The store deletes; this tells every instance, so consoles drop the threads and the visitors'
 * sockets close.
 */
import type { Attachments } from "../attachments/service.ts";
import type { Store } from "../store/types.ts";

/**
 * The files go first: should deleting them fail, the records are still there and the next
 * request (or sweep) tries again, rather than leaving bytes no record leads to.
 *
 * @example
 * const erased = await erase({ store, attachments }, "shop", { conversationIds, contactId });
 */
export async function erase(
  deps: { store: Store; attachments: Pick<Attachments, "erase"> },
  siteId: string,
  target: { conversationIds: readonly string[]; contactId?: string },
): Promise<{ conversations: number; events: number; files: number }> {
  const { store } = deps;
  const files = await deps.attachments.erase(siteId, target.conversationIds);
  const erased = { ...(await store.erase(siteId, target)), files };
  await Promise.all(
    target.conversationIds.map((conversationId) =>
      store.publish({ kind: "erased", siteId, conversationId }),
    ),
  );
  return erased;
}
