import type { LiveNotice, Store, Unsubscribe } from "../store/types.ts";

type Listener = (notice: LiveNotice) => void;

/**
 * Routes live notices from the store's bus to the sockets this instance holds: by
 * conversation (visitors) and by site (agents). It delivers; it decides nothing.
 *
 * @example
 * const hub = createHub(store);
 * const stop = hub.watchConversation(id, (notice) => socket.send(JSON.stringify(notice)));
 */
export function createHub(store: Store) {
  const byConversation = new Map<string, Set<Listener>>();
  const bySite = new Map<string, Set<Listener>>();
  let stopBus: Unsubscribe | null = null;

  function route(notice: LiveNotice): void {
    // Presence and callbacks concern the team (site listeners), not a visitor's socket.
    const conversationId =
      notice.kind === "conversation"
        ? notice.conversation.id
        : notice.kind === "presence" || notice.kind === "callback"
          ? null
          : notice.conversationId;
    if (conversationId)
      for (const listener of byConversation.get(conversationId) ?? []) listener(notice);
    for (const listener of bySite.get(notice.siteId) ?? []) listener(notice);
  }

  function add(map: Map<string, Set<Listener>>, key: string, listener: Listener): Unsubscribe {
    // One bus subscription per instance, opened when the first socket needs it.
    stopBus ??= store.subscribe(route);
    const set = map.get(key) ?? new Set<Listener>();
    map.set(key, set);
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) map.delete(key);
    };
  }

  return {
    watchConversation: (conversationId: string, listener: Listener) =>
      add(byConversation, conversationId, listener),
    watchSite: (siteId: string, listener: Listener) => add(bySite, siteId, listener),
    /** Sockets held, for logs and the benchmark. */
    get size(): number {
      let n = 0;
      for (const set of byConversation.values()) n += set.size;
      for (const set of bySite.values()) n += set.size;
      return n;
    },
    close(): void {
      stopBus?.();
      stopBus = null;
      byConversation.clear();
      bySite.clear();
    },
  };
}

export type Hub = ReturnType<typeof createHub>;
