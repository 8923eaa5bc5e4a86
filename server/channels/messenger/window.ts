import type { ThreadEvent } from "../../../sdk/protocol.ts";
import { AppError } from "../../errors.ts";
import type { Store } from "../../store/types.ts";
import { lastEvent } from "../last-event.ts";
import { inboundTime } from "../reply-window.ts";

/**
 * Meta's messaging windows, counted from the visitor's last interaction in Messenger: a message,
 * or opening the conversation from an m.me link (Meta resets the window for both).
 */
export const RESPONSE_WINDOW_MS = 24 * 3_600_000;
/** The `HUMAN_AGENT` tag lets a person answer for up to 7 days. */
export const HUMAN_AGENT_WINDOW_MS = 7 * 24 * 3_600_000;

/** How a reply may go out now: the Send API's `messaging_type` and `tag`. */
export type SendPolicy =
  | { messagingType: "RESPONSE" }
  | { messagingType: "MESSAGE_TAG"; tag: "HUMAN_AGENT" };

/** Agent-only system events that record the visitor opening Messenger (they reset the window). */
export const INTERACTION_EVENTS = new Set(["messenger.opened", "messenger.link_refused"]);

/** When the visitor interacted in Messenger, per a stored event (`../reply-window.ts`). */
export const interactionTime = (event: ThreadEvent): number | null =>
  inboundTime(event, "messenger", INTERACTION_EVENTS);

/**
 * The visitor's last Messenger interaction in a thread (ms), reading the log backwards page by
 * page, or null when there is none.
 *
 * @example
 * const last = await lastInteraction(store, conversation.id, conversation.lastSeq);
 */
export function lastInteraction(
  store: Pick<Store, "eventsAfter">,
  conversationId: string,
  lastSeq: number,
): Promise<number | null> {
  return lastEvent(store, { id: conversationId, lastSeq }, interactionTime);
}

/**
 * The policy a reply gets `now`: `RESPONSE` within 24 hours of the last interaction,
 * `MESSAGE_TAG` + `HUMAN_AGENT` up to 7 days, null after (or with no interaction at all).
 *
 * @example
 * policyAt(Date.now() - 30 * 3_600_000, Date.now()); // { messagingType: "MESSAGE_TAG", tag: "HUMAN_AGENT" }
 */
export function policyAt(last: number | null, now: number): SendPolicy | null {
  if (last === null) return null;
  const age = Math.max(0, now - last);
  if (age < RESPONSE_WINDOW_MS) return { messagingType: "RESPONSE" };
  if (age < HUMAN_AGENT_WINDOW_MS) return { messagingType: "MESSAGE_TAG", tag: "HUMAN_AGENT" };
  return null;
}

/**
 * The policy for a reply in a conversation now; throws `channel_unavailable` (409) when the
 * 7-day window has closed, so the agent hears it before anything is stored.
 *
 * @example
 * const policy = await sendPolicy(s.store, conversation, s.now());
 */
export async function sendPolicy(
  store: Pick<Store, "eventsAfter">,
  conversation: { id: string; lastSeq: number },
  now: number,
): Promise<SendPolicy> {
  const policy = policyAt(await lastInteraction(store, conversation.id, conversation.lastSeq), now);
  if (!policy) {
    throw new AppError(
      "channel_unavailable",
      "Messenger's 7-day window has closed: continue by email",
    );
  }
  return policy;
}
