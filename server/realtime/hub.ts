import { noticeConversationId } from "../store/shared.ts";
import type { LiveNotice, NoticeScope, Store, Unsubscribe } from "../store/types.ts";

type Listener = (notice: LiveNotice) => void;

/**
 * How the hub hears the bus.
 *
 * @example
 * const hub = createHub(store, { subscriptions: "connection" }); // an edge worker's request
 */
export interface HubOptions {
  /**
   * `instance` (the default): one subscription to every notice, opened for the first watcher and
   * routed here to each: a long-lived process holding many sockets. `connection`: each watch
   * subscribes to just its conversation or site and shares nothing: a runtime where one request's
   * I/O may not serve another's (an edge worker).
   */
  subscriptions?: "instance" | "connection";
}

/**
 * Routes live notices from the store's bus to the sockets this instance holds: by
 * conversation (visitors) and by site (agents). It delivers; it decides nothing. A watch
 * resolves once the bus listens, so whatever is appended after it is heard.
 *
 * @example
 * const hub = createHub(store);
 * const stop = await hub.watchConversation("demo", id, (notice) => socket.send(JSON.stringify(notice)));
 */
export function createHub(store: Store, options: HubOptions = {}) {
  const byConversation = new Map<string, Set<Listener>>();
  const bySite = new Map<string, Set<Listener>>();
  let bus: Promise<Unsubscribe> | null = null;
  /** The subscriptions of `connection` mode, one per watch. */
  const own = new Set<Unsubscribe>();

  function route(notice: LiveNotice): void {
    // Presence and callbacks concern the team (site listeners), not a visitor's socket.
    const conversationId = noticeConversationId(notice);
    if (conversationId)
      for (const listener of byConversation.get(conversationId) ?? []) listener(notice);
    for (const listener of bySite.get(notice.siteId) ?? []) listener(notice);
  }

  async function watchOwn(listener: Listener, scope: NoticeScope): Promise<Unsubscribe> {
    const stop = await store.subscribe(listener, scope);
    own.add(stop);
    return () => {
      if (own.delete(stop)) stop();
    };
  }

  async function add(
    map: Map<string, Set<Listener>>,
    key: string,
    listener: Listener,
    scope: NoticeScope,
  ): Promise<Unsubscribe> {
    if (options.subscriptions === "connection") return watchOwn(listener, scope);
    const set = map.get(key) ?? new Set<Listener>();
    map.set(key, set);
    set.add(listener);
    const remove = () => {
      set.delete(listener);
      if (set.size === 0 && map.get(key) === set) map.delete(key);
    };
    // One bus subscription per instance, opened when the first socket needs it; a failed one is
    // tried again by the next.
    bus ??= store.subscribe(route).catch((error: unknown) => {
      bus = null;
      throw error;
    });
    try {
      await bus;
    } catch (error) {
      remove();
      throw error;
    }
    return remove;
  }

  return {
    watchConversation: (siteId: string, conversationId: string, listener: Listener) =>
      add(byConversation, conversationId, listener, { siteId, conversationId }),
    watchSite: (siteId: string, listener: Listener) => add(bySite, siteId, listener, { siteId }),
    /** Sockets held, for logs and the benchmark. */
    get size(): number {
      let n = own.size;
      for (const set of byConversation.values()) n += set.size;
      for (const set of bySite.values()) n += set.size;
      return n;
    },
    close(): void {
      void bus?.then((stop) => stop()).catch(() => undefined);
      bus = null;
      for (const stop of own) stop();
      own.clear();
      byConversation.clear();
      bySite.clear();
    },
  };
}

export type Hub = ReturnType<typeof createHub>;
