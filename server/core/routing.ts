import type { Conversation } from "../../sdk/protocol.ts";
import type { AgentConfig } from "../config.ts";
import type { PresenceStatus, Store } from "../store/types.ts";

/** A year: the round-robin counter never needs to reset. */
const COUNTER_WINDOW_MS = 365 * 86_400_000;

/**
 * Picks the agent a new conversation goes to: online agents whose skills match the visitor's
 * language or the site's `topic` attribute most, round-robin among equals (a counter in the
 * store, so every instance takes turns from the same count). Null when nobody is online.
 *
 * @example
 * const email = await pickAgent(store, site.agents, await store.presence(site.id, now), conversation);
 */
export async function pickAgent(
  store: Store,
  agents: AgentConfig[],
  presence: Record<string, PresenceStatus>,
  conversation: Conversation,
): Promise<AgentConfig | null> {
  const online = agents.filter((agent) => presence[agent.email] === "online");
  if (online.length === 0) return null;
  const wanted = new Set(
    [conversation.context.locale?.slice(0, 2), conversation.context.attributes?.topic]
      .filter((v): v is string => typeof v === "string" && v !== "")
      .map((v) => v.toLowerCase()),
  );
  const score = (agent: AgentConfig) =>
    (agent.skills ?? []).filter((skill) => wanted.has(skill.toLowerCase())).length;
  const best = Math.max(...online.map(score));
  const equals = online
    .filter((agent) => score(agent) === best)
    .sort((a, b) => a.email.localeCompare(b.email));
  const { count } = await store.hit(
    `rr:${conversation.siteId}:${equals.map((a) => a.email).join(",")}`,
    COUNTER_WINDOW_MS,
  );
  return equals[(count - 1) % equals.length]!;
}
