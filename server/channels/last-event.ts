import type { ThreadEvent } from "../../sdk/protocol.ts";
import type { Store } from "../store/types.ts";
import { MAX_EVENTS_PER_READ } from "../store/types.ts";

/**
 * The newest event of a thread for which `read` answers something (not null), and that answer;
 * null when none does. Reads the log backwards page by page, so a long thread costs one read when
 * the answer is recent. A channel's reply window starts from such an event.
 *
 * @example
 * const last = await lastEvent(store, conversation, (e) => (e.channel === "telegram" ? e : null));
 */
export async function lastEvent<T>(
  store: Pick<Store, "eventsAfter">,
  conversation: { id: string; lastSeq: number },
  read: (event: ThreadEvent) => T | null,
): Promise<T | null> {
  for (let end = conversation.lastSeq; end > 0; end -= MAX_EVENTS_PER_READ) {
    const from = Math.max(0, end - MAX_EVENTS_PER_READ);
    const page = await store.eventsAfter(conversation.id, from, end - from);
    for (let i = page.length - 1; i >= 0; i--) {
      const found = read(page[i]!);
      if (found !== null) return found;
    }
  }
  return null;
}
