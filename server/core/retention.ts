/**
 * Retention: what a site keeps, and for how long. Conversations resolved `retention.resolvedDays`
 * ago (and untouched since) are erased, and so are abandoned ones (opened over a day ago, the
 * visitor never wrote); a contact left with no conversation goes with its last one. Swept like
 * the callback queue: a timer on Node, the Cron Trigger on the edge.
 */

import type { Attachments } from "../attachments/service.ts";
import type { SiteConfig } from "../config.ts";
import type { Store } from "../store/types.ts";
import { erase } from "./erasure.ts";

const DAY_MS = 24 * 3_600_000;
/** Conversations erased per site per sweep: a backlog goes over a few sweeps, none takes long. */
const PER_SWEEP = 200;

/**
 * @example
 * const { conversations } = await sweepRetention({ store, attachments }, config.sites, Date.now());
 */
export async function sweepRetention(
  deps: { store: Store; attachments: Pick<Attachments, "erase"> },
  sites: readonly SiteConfig[],
  now: number,
): Promise<{ conversations: number; contacts: number }> {
  const { store } = deps;
  let conversations = 0;
  let contacts = 0;
  for (const site of sites) {
    const days = site.retention?.resolvedDays;
    const due = await store.expiring(
      site.id,
      {
        ...(days !== undefined ? { resolvedBefore: now - days * DAY_MS + 1 } : {}),
        idleBefore: now - DAY_MS,
      },
      PER_SWEEP,
    );
    // By contact, so a contact whose every conversation goes is erased in the same step.
    const byContact = new Map<string, string[]>();
    for (const id of due) {
      const conversation = await store.getConversation(id);
      if (!conversation) continue;
      byContact.set(conversation.contactId, [...(byContact.get(conversation.contactId) ?? []), id]);
    }
    for (const [contactId, ids] of byContact) {
      const left = (await store.contactConversationIds(contactId)).filter(
        (id) => !ids.includes(id),
      );
      const erased = await erase(deps, site.id, {
        conversationIds: ids,
        ...(left.length === 0 ? { contactId } : {}),
      });
      conversations += erased.conversations;
      if (left.length === 0) contacts += 1;
    }
  }
  return { conversations, contacts };
}
