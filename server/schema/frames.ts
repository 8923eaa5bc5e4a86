/**
 * The live sockets' frames (`/v1/live`, `/v1/agent/live`) in both directions, and the wire
 * shapes they carry (events, conversations, callbacks). Client frames are parsed by these
 * schemas in `server/http/sessions.ts`; server frames are documented by them. The TYPES stay in
 * `sdk/protocol.ts` (the SDK has no runtime dependency): the checks at the end of this file fail
 * `npm run typecheck` when a schema and its protocol type drift apart.
 */
import * as v from "valibot";
import type * as P from "../../sdk/protocol.ts";
import { LIMITS } from "../../sdk/protocol.ts";
import {
  attachmentIds,
  attributes,
  clientId,
  count,
  loose,
  needsContent,
  oneOf,
  words,
} from "./fields.ts";

// ---- The shapes inside frames and responses (documentation: the server builds them) ----

const iso = v.pipe(v.string(), v.description("ISO 8601"));

/** The channels outside the web chat, in the order refusals list them. */
const EXTERNAL = ["messenger", "email", "callback", "telegram", "whatsapp", "sms"] as const;
export const ChannelName = oneOf(["web", ...EXTERNAL]);
export const ExternalChannelName = oneOf(EXTERNAL);

export const Author = loose({
  role: oneOf(["visitor", "agent", "bot", "system"]),
  id: v.optional(v.string()),
  name: v.optional(v.string()),
});

export const Attachment = loose({
  id: v.string(),
  name: v.string(),
  type: v.pipe(v.string(), v.description("What the bytes are (checked), e.g. image/png")),
  size: v.pipe(count, v.description("Bytes")),
  url: v.optional(v.pipe(v.string(), v.description("A signed download link that expires"))),
});

/** `POST /v1/attachments`, `POST /v1/agent/attachments`: the file, taken (its link comes with events). */
export const UploadAnswer = loose({
  attachment: v.pick(Attachment, ["id", "name", "type", "size"]),
});

export const ThreadEvent = loose({
  id: v.string(),
  seq: count,
  type: oneOf(["message", "note", "system"]),
  channel: ChannelName,
  author: Author,
  text: v.string(),
  createdAt: iso,
  clientId: v.optional(v.string()),
  name: v.optional(v.string()),
  data: v.optional(v.record(v.string(), v.unknown())),
  attachments: v.optional(v.array(Attachment)),
});

export const PageVisit = loose({ url: v.string(), title: v.optional(v.string()), at: iso });

export const ConversationContext = loose({
  url: v.optional(v.string()),
  referrer: v.optional(v.string()),
  locale: v.optional(v.string()),
  pages: v.optional(v.array(PageVisit)),
  attributes: v.optional(attributes),
  labels: v.optional(v.array(v.string())),
});

export const Conversation = loose({
  id: v.string(),
  siteId: v.string(),
  contactId: v.string(),
  status: oneOf(["open", "pending", "resolved"]),
  activeChannel: ChannelName,
  channels: v.array(
    loose({
      channel: ChannelName,
      address: v.optional(v.string()),
      linkedAt: iso,
      replyUntil: v.optional(v.nullable(iso)),
    }),
  ),
  context: ConversationContext,
  assignee: v.optional(v.string()),
  createdAt: iso,
  updatedAt: iso,
  lastSeq: count,
  lastText: v.optional(v.string()),
});

export const CallbackWindow = loose({ from: iso, to: iso });

const callbackEntries = {
  id: v.string(),
  siteId: v.string(),
  conversationId: v.string(),
  contactId: v.string(),
  phone: v.pipe(v.string(), v.description("E.164, e.g. +31612345678")),
  country: v.optional(v.string()),
  window: CallbackWindow,
  asap: v.boolean(),
  timeZone: v.string(),
  note: v.optional(v.string()),
  email: v.optional(v.string()),
  status: oneOf(["requested", "scheduled", "completed", "missed", "cancelled"]),
  scheduledFor: v.optional(iso),
  version: count,
  createdAt: iso,
  updatedAt: iso,
};

/** What a visitor sees of their callback. */
export const VisitorCallback = loose(callbackEntries);

/** The agents' view of a callback request. */
export const CallbackRequest = loose({
  ...callbackEntries,
  claimedBy: v.optional(loose({ email: v.string(), name: v.string() })),
  outcome: v.optional(v.string()),
  remindedAt: v.optional(iso),
  offeredAt: v.optional(iso),
});

export const ErrorCode = oneOf([
  "bad_request",
  "invalid_json",
  "unauthorized",
  "token_expired",
  "forbidden",
  "origin_not_allowed",
  "wrong_site",
  "not_found",
  "conflict",
  "payload_too_large",
  "unsupported_media_type",
  "rate_limited",
  "channel_not_configured",
  "channel_unavailable",
  "window_closed",
  "upstream_failed",
  "attachments_not_configured",
  "store_unavailable",
  "internal",
]);

/** Every error answer: `{ error: { code, message } }`. */
export const ErrorBody = loose({ error: loose({ code: ErrorCode, message: v.string() }) });

export const Identity = loose({
  kind: oneOf(["visitor", "user", "email", "psid", "phone", "telegram", "whatsapp"]),
  value: v.string(),
  verified: v.boolean(),
});

export const Contact = loose({
  id: v.string(),
  siteId: v.string(),
  name: v.optional(v.string()),
  email: v.optional(v.string()),
  identities: v.array(Identity),
  attributes,
  createdAt: v.pipe(v.string(), v.description("ISO 8601")),
});

// ---- Client frames ----

/** The first frame on either socket; the token never travels in the URL. */
export const HelloFrame = loose({
  type: v.literal("hello"),
  token: v.pipe(v.string("must be a string"), v.maxLength(8192, "must be a token")),
  /** The last `seq` the client holds. */
  after: v.optional(count),
});

export const SendFrame = needsContent(
  loose({
    type: v.literal("send"),
    clientId,
    text: v.optional(words(LIMITS.messageChars)),
    attachments: v.optional(attachmentIds),
  }),
);

/** A visitor types in their own conversation: a `conversationId` is ignored. */
export const VisitorTypingFrame = loose({
  type: v.literal("typing"),
  conversationId: v.optional(v.string("must be a string")),
});

/** An agent names the conversation they type in. */
export const AgentTypingFrame = loose({
  type: v.literal("typing"),
  conversationId: v.pipe(
    v.string("must be a string"),
    v.maxLength(128, "must be a conversation id"),
  ),
});

export const PresenceFrame = loose({
  type: v.literal("presence"),
  status: oneOf(["online", "away"]),
});

/** Every frame a visitor's socket takes. */
export const VisitorClientFrame = v.variant(
  "type",
  [HelloFrame, SendFrame, VisitorTypingFrame],
  "must be hello, send or typing",
);

/** Every frame an agent's socket takes: agents reply over HTTP. */
export const AgentClientFrame = v.variant(
  "type",
  [HelloFrame, AgentTypingFrame, PresenceFrame],
  "must be hello, typing or presence (agents reply over HTTP)",
);

// ---- Server frames (documentation) ----

export const EventFrame = loose({
  type: v.literal("event"),
  conversationId: v.string(),
  event: ThreadEvent,
});

export const TypingNoticeFrame = loose({
  type: v.literal("typing"),
  conversationId: v.string(),
  author: Author,
});

export const ConversationFrame = loose({
  type: v.literal("conversation"),
  conversation: Conversation,
});

export const PresenceNoticeFrame = loose({
  type: v.literal("presence"),
  email: v.string(),
  status: oneOf(["online", "away", "offline"]),
});

export const CallbackFrame = loose({
  type: v.literal("callback"),
  callback: CallbackRequest,
  due: v.optional(v.boolean()),
});

export const AckFrame = loose({ type: v.literal("ack"), clientId: v.string(), event: ThreadEvent });

export const ReadyFrame = loose({
  type: v.literal("ready"),
  conversationId: v.optional(v.string()),
});

export const ErrorFrame = loose({
  type: v.literal("error"),
  clientId: v.optional(v.string()),
  error: loose({ code: ErrorCode, message: v.string() }),
});

/** For agents: a contact changed (the CRM set its attributes): the customer card follows. */
export const ContactFrame = loose({ type: v.literal("contact"), contact: Contact });

/** For agents: a conversation was erased; the console drops it. */
export const ErasedFrame = loose({ type: v.literal("erased"), conversationId: v.string() });

export const ServerFrame = v.variant("type", [
  EventFrame,
  TypingNoticeFrame,
  ConversationFrame,
  PresenceNoticeFrame,
  CallbackFrame,
  ContactFrame,
  ErasedFrame,
  AckFrame,
  ReadyFrame,
  ErrorFrame,
]);

// ---- Each schema against its protocol type: a drift fails `npm run typecheck` ----

/** True only when A and B are the same type. */
export type Same<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
/** Compiles only for `true`: the line of a failed check names the schema that drifted. */
export type Assert<T extends true> = T;
type Out<S extends v.GenericSchema> = v.InferOutput<S>;

export type FrameSchemaChecks = [
  Assert<Same<Out<typeof ThreadEvent>, P.ThreadEvent>>,
  Assert<Same<Out<typeof UploadAnswer>, P.UploadAttachmentResponse>>,
  Assert<Same<Out<typeof Conversation>, P.Conversation>>,
  Assert<Same<Out<typeof CallbackRequest>, P.CallbackRequest>>,
  Assert<Same<Out<typeof VisitorCallback>, P.VisitorCallback>>,
  Assert<Same<Out<typeof ErrorCode>, P.ErrorCode>>,
  Assert<Same<Out<typeof ErrorBody>, P.ErrorBody>>,
  Assert<Same<Out<typeof ExternalChannelName>, Exclude<P.ChannelName, "web">>>,
  Assert<Same<Out<typeof HelloFrame>, P.HelloFrame>>,
  Assert<Same<Out<typeof SendFrame>, P.SendFrame>>,
  Assert<Same<Out<typeof VisitorTypingFrame>, P.TypingFrame>>,
  Assert<Same<Out<typeof PresenceFrame>, P.PresenceFrame>>,
  Assert<Same<Out<typeof VisitorClientFrame>, P.HelloFrame | P.SendFrame | P.TypingFrame>>,
  // An agent's typing frame must name its conversation: narrower than the shared type.
  Assert<Out<typeof AgentTypingFrame> extends P.TypingFrame ? true : false>,
  Assert<
    Same<
      Out<typeof AgentClientFrame>,
      P.HelloFrame | Out<typeof AgentTypingFrame> | P.PresenceFrame
    >
  >,
  Assert<Same<Out<typeof ServerFrame>, P.ServerFrame>>,
];
