/**
 * What the visitor's widget was shown, decided by the server: a visitor live session (WebSocket
 * or SSE) that sends an agent's message frame raises the conversation's mark
 * (`Store.raiseMark`) to that event's seq. Follow-ups (an unseen reply emailed) compare with it.
 */

/** The store key of a conversation's mark: the highest agent-message seq a visitor socket was sent. */
export const shownKey = (conversationId: string) => `shown:${conversationId}`;

/** Marks outlive any follow-up delay (at most a day) with room to spare. */
export const SHOWN_TTL_MS = 7 * 86_400_000;
