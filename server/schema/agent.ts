/**
 * The agent API's inputs and answers (`/v1/agent/login`, `/v1/agent/conversations…`,
 * `/v1/agent/callbacks…`): each body and query is parsed by its schema in `route()`, and the
 * same schema documents the route. Bodies are loose: unknown fields are ignored. Rules that need
 * the store or the clock (an assignee of this site, a time in the future, a status that may
 * follow the current one) stay in the handlers and `core/`. The wire types stay in
 * `sdk/protocol.ts`; the checks at the end fail `npm run typecheck` on a drift.
 */
import * as v from "valibot";
import type * as P from "../../sdk/protocol.ts";
import { LIMITS } from "../../sdk/protocol.ts";
import type { ContactErased } from "./contacts.ts";
import {
  attachmentIds,
  clientId,
  count,
  email,
  filled,
  flag,
  instant,
  loose,
  maybe,
  needsContent,
  oneOf,
  seqText,
  someOf,
  upTo,
  words,
} from "./fields.ts";
import {
  type Assert,
  CallbackRequest,
  ChannelName,
  Contact,
  Conversation,
  type Same,
  ThreadEvent,
} from "./frames.ts";
import { ConversationAnswer, EventAnswer, LinkAnswer } from "./visitor.ts";

export { ConversationAnswer, EventAnswer, LinkAnswer };

const ConversationStatus = oneOf(["open", "pending", "resolved"]);

// ---- Bodies and queries ----

export const LoginBody = loose({
  /** Agents log in with the address the sites file gives them, which follows the one rule. */
  email,
  password: filled(1024),
});

/** `GET /v1/agent/conversations?status=&limit=`: the inbox, newest first. */
export const InboxQuery = loose({
  status: v.optional(ConversationStatus),
  limit: v.pipe(
    seqText,
    // Absent or 0 is the default page; more than 200 is 200, not a refusal.
    v.transform((limit) => Math.min(limit || 50, 200)),
    v.description("How many, 1–200 (default 50)"),
  ),
});

/** `GET /v1/agent/conversations/:id?after=`: the thread's events after this seq. */
export const ThreadQuery = loose({ after: seqText });

/** A reply's or a note's idempotency key: the same key again is the same event. */
const replyKey = maybe(clientId);

export const ReplyBody = needsContent(
  loose({
    text: v.optional(words(LIMITS.messageChars)),
    attachments: v.optional(attachmentIds),
    clientId: replyKey,
    /** Absent: the conversation's active channel. */
    channel: v.optional(ChannelName),
  }),
);

export const NoteBody = loose({ text: words(LIMITS.messageChars), clientId: replyKey });

/** Set the status, assign (an agent's email) or unassign (`null`), or both. */
export const UpdateConversationBody = someOf(
  loose({
    status: v.optional(ConversationStatus),
    assignee: v.optional(v.nullable(email)),
  }),
  ["status", "assignee"],
);

/** The agents' queue (`active`, the default) or the callbacks in one status. */
export const CallbacksQuery = loose({
  status: v.optional(
    oneOf(["active", "requested", "scheduled", "completed", "missed", "cancelled"]),
    "active",
  ),
});

/**
 * Claim (`true`) or release (`false`) a callback, change its status, or both. Whether the status
 * may follow the current one, and a `scheduledFor` in the past, are for `core/callbacks.ts`.
 */
export const UpdateCallbackBody = v.pipe(
  someOf(
    loose({
      claim: v.optional(flag),
      status: v.optional(oneOf(["scheduled", "completed", "missed", "cancelled"])),
      /** How the call went: goes with `completed` or `missed`. */
      outcome: maybe(upTo(1000)),
      /** The time agreed on: goes with `scheduled`. */
      scheduledFor: maybe(instant),
    }),
    ["claim", "status"],
  ),
  v.forward(
    v.partialCheck(
      [["status"], ["scheduledFor"]],
      (body) => body.status !== "scheduled" || body.scheduledFor !== undefined,
      'is required with "status": "scheduled"',
    ),
    ["scheduledFor"],
  ),
  v.metadata({
    if: { properties: { status: { const: "scheduled" } }, required: ["status"] },
    // biome-ignore lint/suspicious/noThenProperty: JSON Schema's if/then keyword, never awaited
    then: { required: ["scheduledFor"], properties: { scheduledFor: { type: "string" } } },
  }),
);

// ---- Answers (documentation) ----

export const AgentInfo = loose({ email: v.string(), name: v.string(), siteId: v.string() });

export const LoginAnswer = loose({
  token: v.pipe(v.string(), v.description("The agent token: Authorization: Bearer <token>")),
  agent: AgentInfo,
});

export const AgentsAnswer = loose({
  agents: v.array(
    loose({ email: v.string(), name: v.string(), status: oneOf(["online", "away", "offline"]) }),
  ),
});

export const InboxAnswer = loose({ conversations: v.array(Conversation) });

export const ThreadAnswer = loose({
  conversation: Conversation,
  contact: Contact,
  events: v.array(ThreadEvent),
  callbacks: v.array(CallbackRequest),
  earlier: v.optional(v.array(Conversation)),
});

export const ReplyAnswer = loose({ event: ThreadEvent, deliveredVia: ChannelName });

export const AgentCallbacksAnswer = loose({
  callbacks: v.array(CallbackRequest),
  remindMinutes: count,
});

export const AgentCallbackAnswer = loose({ callback: CallbackRequest });

// ---- Each schema against its protocol type ----

type Out<S extends v.GenericSchema> = v.InferOutput<S>;

export type AgentSchemaChecks = [
  Assert<Same<Out<typeof LoginBody>, P.AgentLoginRequest>>,
  Assert<Same<Out<typeof ReplyBody>, P.AgentReplyRequest>>,
  Assert<Same<Out<typeof NoteBody>, P.AgentNoteRequest>>,
  Assert<Same<Out<typeof UpdateConversationBody>, P.UpdateConversationRequest>>,
  Assert<Same<Out<typeof UpdateCallbackBody>, P.UpdateCallbackRequest>>,
  Assert<Same<Out<typeof CallbacksQuery>["status"], P.CallbackStatus | "active">>,
  Assert<Same<Out<typeof AgentInfo>, P.Agent>>,
  Assert<Same<Out<typeof LoginAnswer>, P.AgentLoginResponse>>,
  Assert<Same<Out<typeof AgentsAnswer>, P.AgentsResponse>>,
  Assert<Same<Out<typeof InboxAnswer>, P.InboxResponse>>,
  Assert<Same<Out<typeof Contact>, P.Contact>>,
  Assert<Same<Out<typeof ThreadAnswer>, P.AgentThreadResponse>>,
  Assert<Same<Out<typeof ReplyAnswer>, P.AgentReplyResponse>>,
  Assert<Same<Out<typeof AgentCallbacksAnswer>, P.CallbacksResponse>>,
  Assert<Same<Out<typeof ContactErased>, P.ContactErasedResponse>>,
];
