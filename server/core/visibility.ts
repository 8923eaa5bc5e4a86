import type { Conversation, ThreadEvent } from "../../sdk/protocol.ts";

/** System events a visitor may see; everything else of the kind is agents' business. */
const VISITOR_SYSTEM_EVENTS = new Set([
  "conversation.resolved",
  "conversation.reopened",
  "channel.linked",
  "handoff.requested",
  "callback.requested",
  "callback.scheduled",
  "callback.completed",
  "callback.missed",
  "callback.cancelled",
  "callback.offered",
  "csat.requested",
  "csat.submitted",
]);

/**
 * Whether a visitor's client may receive an event. Internal notes never leave the agents'
 * side, so visitor streams can skip seq numbers: clients order by seq, they do not count it.
 */
export function visibleToVisitor(event: ThreadEvent): boolean {
  if (event.type === "message") return true;
  if (event.type === "system") return VISITOR_SYSTEM_EVENTS.has(event.name ?? "");
  return false;
}

/** The visitor's view of their own thread: no agent emails, no internal labels. */
export function conversationForVisitor(conversation: Conversation): Conversation {
  const { assignee: _assignee, ...rest } = conversation;
  const { labels: _labels, ...context } = conversation.context;
  return { ...rest, context };
}
