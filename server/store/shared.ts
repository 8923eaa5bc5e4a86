import type { Conversation, ThreadEvent } from "../../sdk/protocol.ts";
import type { ConversationPatch, LiveNotice, NoticeScope } from "./types.ts";

/** Event ids are derived, so a retried append can never mint a second id for one seq. */
export function eventId(conversationId: string, seq: number): string {
  return `${conversationId}:${seq}`;
}

/** The inbox preview: the newest message's text, cut short. Notes and system events keep it. */
export function previewText(event: ThreadEvent): string | undefined {
  return event.type === "message" ? event.text.slice(0, 140) : undefined;
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

/** The conversation a live notice concerns; null for a team-wide one (presence). */
export function noticeConversationId(notice: LiveNotice): string | null {
  if (notice.kind === "conversation") return notice.conversation.id;
  return notice.kind === "presence" ? null : notice.conversationId;
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
