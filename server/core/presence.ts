import type { PresenceStatus, Store } from "../store/types.ts";

/** How long a presence lasts without a refresh: a vanished instance's agents fade in this time. */
export const PRESENCE_TTL_MS = 90_000;
/** How often an instance refreshes the presence of the agents whose sockets it holds. */
export const PRESENCE_REFRESH_MS = 30_000;

/**
 * Which agents are at their console. An agent is online while a console socket of theirs is
 * open (on any instance) unless they set "away"; the store keeps it with an expiry, refreshed here.
 *
 * @example
 * const presence = createPresence({ store, now: Date.now });
 * const leave = await presence.join("demo", "agent@example.com");
 */
export function createPresence(deps: {
  store: Store;
  now: () => number;
  onOnline?: (siteId: string) => void;
}) {
  const { store } = deps;
  /** This instance's sockets per agent, and the status each agent chose. */
  const local = new Map<
    string,
    { siteId: string; email: string; sockets: number; status: PresenceStatus }
  >();
  const keyOf = (siteId: string, email: string) => `${siteId}\u0000${email}`;

  async function write(
    siteId: string,
    email: string,
    status: PresenceStatus | null,
  ): Promise<void> {
    await store.setPresence(siteId, email, status, deps.now() + PRESENCE_TTL_MS);
    await store.publish({ kind: "presence", siteId, email, status: status ?? "offline" });
    if (status === "online") deps.onOnline?.(siteId);
  }

  /**
   * Runs only while this instance holds an agent's socket: an idle instance keeps no timer, and
   * the timer belongs to the connection that started it (an edge runtime ties timers to requests).
   */
  let timer: ReturnType<typeof setInterval> | null = null;
  function refreshing(on: boolean): void {
    if (!on) {
      if (timer) clearInterval(timer);
      timer = null;
      return;
    }
    timer ??= setInterval(() => {
      for (const agent of local.values()) {
        void store
          .setPresence(agent.siteId, agent.email, agent.status, deps.now() + PRESENCE_TTL_MS)
          .catch(() => undefined);
      }
    }, PRESENCE_REFRESH_MS);
    (timer as { unref?: () => void }).unref?.();
  }

  return {
    /** A console socket opened; answers the function to call when it closes. */
    async join(siteId: string, email: string): Promise<() => Promise<void>> {
      const key = keyOf(siteId, email);
      const agent = local.get(key) ?? {
        siteId,
        email,
        sockets: 0,
        status: "online" as PresenceStatus,
      };
      agent.sockets += 1;
      local.set(key, agent);
      refreshing(true);
      await write(siteId, email, agent.status);
      let left = false;
      return async () => {
        if (left) return;
        left = true;
        agent.sockets -= 1;
        if (agent.sockets > 0) return;
        local.delete(key);
        if (local.size === 0) refreshing(false);
        await write(siteId, email, null);
      };
    },
    /** The agent chose online or away. */
    async set(siteId: string, email: string, status: PresenceStatus): Promise<void> {
      const agent = local.get(keyOf(siteId, email));
      if (agent) agent.status = status;
      await write(siteId, email, status);
    },
    list: (siteId: string) => store.presence(siteId, deps.now()),
    close(): void {
      refreshing(false);
    },
  };
}

export type Presence = ReturnType<typeof createPresence>;
