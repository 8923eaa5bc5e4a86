/**
 * The site logs' inputs and answers: the event feed (`/v1/agent/events`), the webhook delivery
 * log and the audit log, each read by cursor, oldest first.
 */
import * as v from "valibot";
import { FEED_TYPES } from "../store/types.ts";
import { loose, seqText } from "./fields.ts";

export const CURSOR = /^\d{1,15}-\d{1,15}$/;

/** Where a site log is at: an item's cursor, as the answers give them. */
const cursor = v.pipe(
  v.string(),
  v.regex(CURSOR, 'must be a cursor as the answers give them, like "1733241600000-0"'),
);

/** `?after=<cursor>&limit=N`: the items after that cursor (from the oldest kept without one). */
export const LogQuery = loose({
  after: v.optional(cursor),
  limit: v.pipe(
    seqText,
    v.transform((limit) => Math.min(limit || 100, 500)),
    v.description("How many, 1–500 (default 100)"),
  ),
});

const page = { next: v.pipe(cursor, v.description("The cursor to ask with next")) };

export const FeedAnswer = loose({
  events: v.array(
    loose({
      cursor,
      type: v.picklist(FEED_TYPES),
      timestamp: v.string(),
      data: v.pipe(
        loose({}),
        v.description(
          "`conversationId`, `contactId`, `status`, `assignee`, `activeChannel` (and the thread `event`) for a conversation's items; `contactId` and `contact` for contact.updated",
        ),
      ),
    }),
  ),
  ...page,
});

export const DeliveriesAnswer = loose({
  deliveries: v.array(
    loose({
      cursor,
      webhookId: v.string(),
      endpoint: loose({ id: v.string(), url: v.string() }),
      type: v.picklist(FEED_TYPES),
      conversationId: v.optional(v.string()),
      attempt: v.number(),
      outcome: v.picklist(["delivered", "retrying", "failed", "disabled"]),
      status: v.nullable(v.number()),
      error: v.optional(v.string()),
      durationMs: v.number(),
      attemptedAt: v.string(),
      nextAttemptAt: v.optional(v.string()),
    }),
  ),
  ...page,
});

export const AuditAnswer = loose({
  entries: v.array(
    loose({
      cursor,
      action: v.picklist([
        "conversation.assigned",
        "conversation.status",
        "contact.attributes",
        "contact.exported",
        "contact.erased",
      ]),
      actor: loose({ type: v.picklist(["agent", "apiKey"]), id: v.string() }),
      at: v.string(),
      conversationId: v.optional(v.string()),
      contactId: v.optional(v.string()),
      contactHash: v.optional(
        v.pipe(v.string(), v.description("An erased contact's id, as its SHA-256 hex")),
      ),
      details: v.optional(loose({})),
    }),
  ),
  ...page,
});
