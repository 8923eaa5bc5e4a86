import type { ThreadEvent } from "../../sdk/protocol.ts";

/**
 * Delivers one conversation's events to one client in seq order, each once: live events that
 * arrive ahead of a gap (a reconnect, a notice racing a read) trigger a read of what lies
 * between. Work is serialised, so a catch-up and live events never interleave.
 *
 * @example
 * const cursor = createCursor(lastSeq, (after) => store.eventsAfter(id, after), send);
 * await cursor.catchUp();
 * await hub.watchConversation(siteId, id, (n) => n.kind === "event" && cursor.push(n.event));
 */
export function createCursor(
  after: number,
  load: (after: number) => Promise<ThreadEvent[]>,
  deliver: (event: ThreadEvent) => unknown,
) {
  return new Cursor(after, load, deliver);
}

/**
 * A class, not closures: one lives per open socket, and its methods are shared (tsx names every
 * inner function, which costs each closure a property store of its own).
 */
class Cursor {
  private last: number;
  /** Made on the first step: most sockets idle with nothing queued. */
  private queue: Promise<void> | null = null;

  constructor(
    after: number,
    private readonly load: (after: number) => Promise<ThreadEvent[]>,
    /** May be async (an event's attachments are linked first): the next waits for it. */
    private readonly deliver: (event: ThreadEvent) => unknown,
  ) {
    this.last = after;
  }

  /** Delivers the next event; answers a promise only when the delivery is one (to wait for). */
  private emit(event: ThreadEvent): unknown {
    if (event.seq !== this.last + 1) return undefined;
    this.last = event.seq;
    return this.deliver(event);
  }

  private async fill(until: number): Promise<void> {
    // Reads in pages until it reaches `until` or the log ends.
    while (this.last < until) {
      const page = await this.load(this.last);
      if (page.length === 0) return;
      const before = this.last;
      for (const event of page) {
        if (event.seq <= this.last) continue;
        const delivering = this.emit(event);
        if (delivering instanceof Promise) await delivering;
      }
      if (this.last === before) return;
    }
  }

  private enqueue(step: () => Promise<void>): Promise<void> {
    // A failed read leaves `last` where it was, so the next event fills the same gap again.
    const queue = (this.queue ?? Promise.resolve()).then(step).catch(() => undefined);
    this.queue = queue;
    return queue;
  }

  /** Sends everything after the starting seq that the log holds now. */
  catchUp(): Promise<void> {
    return this.enqueue(() => this.fill(Number.POSITIVE_INFINITY));
  }

  /** Offers a live event; older ones are dropped, early ones fill the gap first. */
  push(event: ThreadEvent): Promise<void> {
    return this.enqueue(async () => {
      if (event.seq <= this.last) return;
      if (event.seq > this.last + 1) await this.fill(event.seq - 1);
      const delivering = this.emit(event);
      if (delivering instanceof Promise) await delivering;
    });
  }

  get lastSeq(): number {
    return this.last;
  }
}
