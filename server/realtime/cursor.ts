import type { ThreadEvent } from "../../sdk/protocol.ts";

/**
 * Delivers one conversation's events to one client in seq order, each once: live events that
 * arrive ahead of a gap (a reconnect, a notice racing a read) trigger a read of what lies
 * between. Work is serialised, so a catch-up and live events never interleave.
 *
 * @example
 * const cursor = createCursor(lastSeq, (after) => store.eventsAfter(id, after), send);
 * await cursor.catchUp();
 * hub.watchConversation(id, (n) => n.kind === "event" && cursor.push(n.event));
 */
export function createCursor(
  after: number,
  load: (after: number) => Promise<ThreadEvent[]>,
  deliver: (event: ThreadEvent) => void,
) {
  let last = after;
  let queue: Promise<void> = Promise.resolve();

  function emit(event: ThreadEvent): void {
    if (event.seq !== last + 1) return;
    last = event.seq;
    deliver(event);
  }

  async function fill(until: number): Promise<void> {
    // Reads in pages until it reaches `until` or the log ends.
    while (last < until) {
      const page = await load(last);
      if (page.length === 0) return;
      const before = last;
      for (const event of page) if (event.seq > last) emit(event);
      if (last === before) return;
    }
  }

  function enqueue(step: () => Promise<void>): Promise<void> {
    // A failed read leaves `last` where it was, so the next event fills the same gap again.
    queue = queue.then(step).catch(() => undefined);
    return queue;
  }

  return {
    /** Sends everything after the starting seq that the log holds now. */
    catchUp: () => enqueue(() => fill(Number.POSITIVE_INFINITY)),
    /** Offers a live event; older ones are dropped, early ones fill the gap first. */
    push: (event: ThreadEvent) =>
      enqueue(async () => {
        if (event.seq <= last) return;
        if (event.seq > last + 1) await fill(event.seq - 1);
        emit(event);
      }),
    get lastSeq(): number {
      return last;
    },
  };
}
