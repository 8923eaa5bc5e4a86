import type {
  CallbackRequest,
  CallbackStatus,
  Conversation,
  ThreadEvent,
} from "../../sdk/protocol.ts";
import type {
  ConversationPatch,
  FeedType,
  LiveNotice,
  LogRefs,
  NewEvent,
  NoticeScope,
} from "./types.ts";

/** Event ids are derived, so a retried append can never mint a second id for one seq. */
export function eventId(conversationId: string, seq: number): string {
  return `${conversationId}:${seq}`;
}

/** The inbox preview: the newest message's text, cut short. Notes and system events keep it. */
export function previewText(event: ThreadEvent): string | undefined {
  if (event.type !== "message") return undefined;
  // A file sent alone shows as its name in the inbox.
  const files = event.attachments?.map((file) => `📎 ${file.name}`).join(" ") ?? "";
  return (event.text || files).slice(0, 140);
}

/**
 * How an appended event changes its conversation. The redis store's append script does the
 * same in Lua; the store contract suite holds both to it.
 */
export function applyAppend(
  conversation: Conversation,
  event: ThreadEvent,
  preview: string | undefined,
): Conversation {
  const next: Conversation = { ...conversation, lastSeq: event.seq, updatedAt: event.createdAt };
  if (preview !== undefined) next.lastText = preview;
  if (event.type === "message" && event.author.role === "visitor") {
    next.activeChannel = event.channel;
    if (next.status === "resolved") next.status = "open";
  }
  return next;
}

/** Applies a patch; `assignee: null` unassigns. */
export function applyPatch(conversation: Conversation, patch: ConversationPatch): Conversation {
  const { assignee, ...rest } = patch;
  const next: Conversation = { ...conversation };
  for (const [key, value] of Object.entries(rest)) {
    if (value !== undefined) Object.assign(next, { [key]: value });
  }
  if (assignee === null) delete next.assignee;
  else if (assignee !== undefined) next.assignee = assignee;
  return next;
}

/**
 * The conversation whose listeners (a visitor's socket) hear a live notice; null for one that
 * concerns the team only (presence, callback requests, a contact's record: the visitor's socket
 * never hears what the CRM keeps on them).
 */
export function noticeConversationId(notice: LiveNotice): string | null {
  if (notice.kind === "conversation") return notice.conversation.id;
  if (notice.kind === "presence" || notice.kind === "callback" || notice.kind === "contact") {
    return null;
  }
  return notice.conversationId;
}

/**
 * Whether a subscription of `scope` hears the notice: every notice of its site, or only those
 * of its conversation.
 *
 * @example
 * inScope(notice, { siteId: "demo", conversationId: "abc" });
 */
export function inScope(notice: LiveNotice, scope: NoticeScope | undefined): boolean {
  if (!scope) return true;
  if (notice.siteId !== scope.siteId) return false;
  return (
    scope.conversationId === undefined || noticeConversationId(notice) === scope.conversationId
  );
}

/** Statuses a callback can still leave: the agents' queue. */
export const ACTIVE_CALLBACK_STATUSES: readonly CallbackStatus[] = ["requested", "scheduled"];

export const isActiveCallback = (status: CallbackStatus) =>
  ACTIVE_CALLBACK_STATUSES.includes(status);

/**
 * The order of a callback list: the queue (active statuses only) by window start, earliest
 * first; anything with final statuses by the latest change. Both stores sort with this.
 */
export function sortCallbacks(
  callbacks: CallbackRequest[],
  statuses: readonly CallbackStatus[],
): CallbackRequest[] {
  const queue = statuses.every(isActiveCallback);
  return callbacks.sort((a, b) =>
    queue
      ? a.window.from.localeCompare(b.window.from) || a.createdAt.localeCompare(b.createdAt)
      : b.updatedAt.localeCompare(a.updatedAt),
  );
}

/**
 * The feed type a thread event is reported as, or null for what stays inside (notes, the
 * visitor's own requests, delivery failures). A contact's changes are reported by `saveContact`.
 */
export function feedTypeOf(event: Pick<NewEvent, "type" | "name">): FeedType | null {
  if (event.type === "message") return "message.created";
  if (event.type !== "system" || !event.name) return null;
  if (event.name.startsWith("conversation.")) return "conversation.updated";
  if (event.name.startsWith("callback.")) return "callback.updated";
  if (event.name === "channel.linked" || event.name === "csat.submitted") return event.name;
  return null;
}

/**
 * `data` of a conversation's feed items: where it stands now. The redis append script builds
 * the same object in Lua; the store contract suite holds both to it.
 */
export function conversationFeedData(conversation: Conversation): Record<string, unknown> {
  return {
    conversationId: conversation.id,
    contactId: conversation.contactId,
    status: conversation.status,
    assignee: conversation.assignee ?? null,
    activeChannel: conversation.activeChannel,
  };
}

/** A feed item's body, as webhooks send it: `{ type, timestamp, data }`. */
export function feedBody(type: FeedType, timestamp: string, data: unknown): string {
  return JSON.stringify({ type, timestamp, data });
}

/** The delivery lane an item waits in: its conversation's, else its contact's. */
export function laneGroup(refs: LogRefs): string {
  return refs.conversationId ?? `c.${refs.contactId ?? ""}`;
}

/** Cursors (`<ms>-<n>`) in their order, as Redis orders stream ids. */
export function compareCursors(a: string, b: string): number {
  const [am = 0, an = 0] = a.split("-").map(Number);
  const [bm = 0, bn = 0] = b.split("-").map(Number);
  return am - bm || an - bn;
}
