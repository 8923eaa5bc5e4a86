import type { ThreadEvent } from "../../../sdk/protocol.ts";

/** The thread's sentences for what the visitor did to the bot, by system event name. */
export const REACH_NOTICES = {
  "telegram.stopped": "Sent /stop in Telegram: replies there may be unwanted",
  "telegram.blocked": "Blocked the bot in Telegram: replies there cannot reach them",
  "telegram.unblocked": "Unblocked the bot in Telegram",
} as const;

/** What stops a reply by Telegram: the visitor blocked the bot, or sent `/stop`. */
export type Unreachable = "blocked" | "stopped";

const STOPPERS: Record<string, Unreachable> = {
  "telegram.blocked": "blocked",
  "telegram.stopped": "stopped",
};

/**
 * What one event says of Telegram's reach, newest first: a block or a `/stop` closes it; the
 * visitor writing in Telegram again, or unblocking the bot, opens it; anything else says nothing
 * (null). `lastEvent` finds the newest that says something.
 */
export function reachOf(event: ThreadEvent): Unreachable | "open" | null {
  if (event.channel !== "telegram") return null;
  if (event.type === "message" && event.author.role === "visitor") return "open";
  if (event.type !== "system") return null;
  if (event.name === "telegram.unblocked" || event.name === "telegram.opened") return "open";
  return STOPPERS[event.name ?? ""] ?? null;
}
