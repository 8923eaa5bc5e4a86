/**
 * The wire types shared by the server and its clients (SDK, widget, console): docs/architecture.md
 * §4. Types only: nothing here runs, so importing it costs a bundle nothing.
 */

/** Where a message came from or goes to. */
export type ChannelName =
  | "web"
  | "messenger"
  | "email"
  | "callback"
  | "telegram"
  | "whatsapp"
  | "sms";

/** The lifecycle of a thread in the agents' inbox. */
export type ConversationStatus = "open" | "pending" | "resolved";

export type EventType = "message" | "note" | "system";

export type AuthorRole = "visitor" | "agent" | "bot" | "system";

export interface Author {
  role: AuthorRole;
  id?: string;
  name?: string;
}

/** One entry of a conversation's append-only log, numbered by `seq` (1, 2, 3 … no gaps). */
export interface ThreadEvent {
  id: string;
  seq: number;
  type: EventType;
  channel: ChannelName;
  author: Author;
  text: string;
  /** ISO 8601. */
  createdAt: string;
  /** The sender's idempotency key: the SDK's `clientId` or a channel's own message id. */
  clientId?: string;
  /** The system event's name, e.g. `channel.linked`, `conversation.resolved`. */
  name?: string;
  data?: Record<string, unknown>;
  /** Files the message carries, in the order they were attached. */
  attachments?: Attachment[];
}

/**
 * A file in the thread (an upload, or what a channel brought): what it is and where to get it.
 * Its type is what its bytes are, whatever its name says.
 */
export interface Attachment {
  id: string;
  /** A safe file name whose extension is the type's. */
  name: string;
  type: string;
  /** Bytes. */
  size: number;
  /**
   * A signed download link that expires (7 to 8 days ahead): an answer read later carries a
   * fresh one. Absent in webhook bodies, whose receiver fetches the file with its API key
   * (`GET /v1/agent/attachments/:id`).
   */
  url?: string;
}

/** `POST /v1/attachments` and `POST /v1/agent/attachments`: the file, taken. */
export interface UploadAttachmentResponse {
  attachment: Omit<Attachment, "url">;
}

export interface LinkedChannel {
  channel: ChannelName;
  address?: string;
  /** ISO 8601. */
  linkedAt: string;
  /**
   * Until when a free-form reply can go out by this channel (ISO 8601), from the visitor's last
   * message there: Messenger 7 days (with the human-agent tag), WhatsApp 24 hours. Null (or
   * absent, on entries stored before it existed) when replies are always possible.
   */
  replyUntil?: string | null;
}

export interface PageVisit {
  url: string;
  title?: string;
  /** ISO 8601. */
  at: string;
}

export type AttributeValue = string | number | boolean | null;

export interface ConversationContext {
  url?: string;
  referrer?: string;
  locale?: string;
  pages?: PageVisit[];
  attributes?: Record<string, AttributeValue>;
  labels?: string[];
}

export interface Conversation {
  id: string;
  siteId: string;
  contactId: string;
  status: ConversationStatus;
  activeChannel: ChannelName;
  channels: LinkedChannel[];
  context: ConversationContext;
  assignee?: string;
  /** ISO 8601. */
  createdAt: string;
  /** ISO 8601. */
  updatedAt: string;
  lastSeq: number;
  /** Text of the newest message or note, for inbox previews. */
  lastText?: string;
}

/** One identity pointing to a contact: how a channel knows the customer. */
export interface Identity {
  kind: "visitor" | "user" | "email" | "psid" | "phone" | "telegram" | "whatsapp";
  value: string;
  /** True when proven (a site-signed identity or a redeemed handle), not merely typed. */
  verified: boolean;
}

export interface Contact {
  id: string;
  siteId: string;
  name?: string;
  email?: string;
  identities: Identity[];
  attributes: Record<string, AttributeValue>;
  createdAt: string;
}

export interface Agent {
  email: string;
  name: string;
  siteId: string;
}

/** Every error the server answers: `{ error: { code, message } }` with a 4xx/5xx status. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string };
}

/** Stable error codes; the HTTP status of each lives in `server/errors.ts`. */
export type ErrorCode =
  | "bad_request"
  | "invalid_json"
  | "unauthorized"
  | "token_expired"
  | "forbidden"
  | "origin_not_allowed"
  | "wrong_site"
  | "not_found"
  | "conflict"
  | "payload_too_large"
  | "unsupported_media_type"
  | "rate_limited"
  | "channel_not_configured"
  | "channel_unavailable"
  | "window_closed"
  | "upstream_failed"
  | "attachments_not_configured"
  | "store_unavailable"
  | "internal";

// ---- Visitor HTTP ----

export interface StartConversationRequest {
  siteId: string;
  context?: ConversationContext;
}

/** What the widget needs to know about the site: its name, greeting and handoff channels. */
export interface SiteInfo {
  id: string;
  name: string;
  locale: string;
  /** The greeting for this visitor's journey stage. */
  greeting?: string;
  /** First visit, returning visitor, or known customer (verified, or the site's attribute). */
  stage: "first" | "returning" | "customer";
  /** Within the site's business hours. */
  open: boolean;
  /** Some agent is at the console now. When closed or nobody is online, offer other channels. */
  agentsOnline: boolean;
  /** Handoff channels this site has configured: the widget's "other ways to reach us". */
  channels: Exclude<ChannelName, "web">[];
}

export interface ConversationSnapshot {
  token: string;
  conversation: Conversation;
  events: ThreadEvent[];
  site: SiteInfo;
}

export interface SendMessageRequest {
  clientId: string;
  /** Optional when the message carries attachments. */
  text?: string;
  /** Ids of files uploaded to this conversation (at most 10). */
  attachments?: string[];
}

export interface SendMessageResponse {
  event: ThreadEvent;
}

export interface ConversationResponse {
  conversation: Conversation;
  events: ThreadEvent[];
}

// ---- Callbacks ----

/**
 * A callback's lifecycle: `requested` → `scheduled` → `completed` | `missed` | `cancelled`
 * (`requested` may also go straight to any of the last three). The last three are final.
 */
export type CallbackStatus = "requested" | "scheduled" | "completed" | "missed" | "cancelled";

/** A span of time, as ISO 8601 instants; shown in whatever zone the reader is in. */
export interface CallbackWindow {
  from: string;
  to: string;
}

/** The agent's view of a callback request (docs/architecture.md §2). */
export interface CallbackRequest {
  id: string;
  siteId: string;
  conversationId: string;
  contactId: string;
  /** E.164, e.g. `+31612345678`. */
  phone: string;
  /** The number's country (ISO 3166-1 alpha-2), e.g. `NL`. */
  country?: string;
  /** When the visitor wants the call. */
  window: CallbackWindow;
  /** The visitor chose "as soon as possible" (the window then starts at the request). */
  asap: boolean;
  /** The visitor's IANA time zone, e.g. `Europe/Amsterdam`. */
  timeZone: string;
  /** What the visitor wants to talk about. */
  note?: string;
  /** Where a confirmation went, when the visitor gave an address. */
  email?: string;
  status: CallbackStatus;
  /** The agent who will call. */
  claimedBy?: { email: string; name: string };
  /** The time the agent agreed on (status `scheduled`), ISO 8601. */
  scheduledFor?: string;
  /** The agent's note on how the call went (agents only). */
  outcome?: string;
  /** When the unclaimed-and-starting-soon reminder went out, ISO 8601. */
  remindedAt?: string;
  /** When an agent offered the visitor a new time after a missed or cancelled call, ISO 8601. */
  offeredAt?: string;
  /** Bumped by every change: the store refuses a change made on a stale copy. */
  version: number;
  createdAt: string;
  updatedAt: string;
}

/** What a visitor sees of their own callback: no agent emails, no outcome notes. */
export type VisitorCallback = Omit<
  CallbackRequest,
  "claimedBy" | "outcome" | "remindedAt" | "offeredAt"
>;

/** `POST /v1/handoff` for a callback. `window: "asap"` asks for a call as soon as possible. */
export interface CallbackHandoffRequest {
  channel: "callback";
  /** E.164, or a national number of `country` (default: the site's, then the visitor's locale). */
  phone: string;
  country?: string;
  window: CallbackWindow | "asap";
  timeZone: string;
  note?: string;
  /** An address for a confirmation by email. */
  email?: string;
}

/** `GET /v1/callback-windows`: what the visitor may choose from, now. */
export interface CallbackWindowsResponse {
  /** "As soon as possible" is offered (the site is within its callback hours now). */
  asap: boolean;
  /** The next windows inside the site's callback hours, in time order. */
  windows: CallbackWindow[];
  /** The default country of the phone field (ISO 3166-1 alpha-2). */
  country: string;
  /** The site's own zone, for "our hours" hints. */
  timeZone: string;
}

// ---- Agent HTTP ----

export interface AgentLoginRequest {
  email: string;
  password: string;
}

export interface AgentLoginResponse {
  token: string;
  agent: Agent;
}

export interface InboxResponse {
  conversations: Conversation[];
}

export interface AgentThreadResponse {
  conversation: Conversation;
  contact: Contact;
  events: ThreadEvent[];
  /** The conversation's callback requests, newest first. */
  callbacks: CallbackRequest[];
  /** The same contact's other conversations, newest first. */
  earlier?: Conversation[];
}

/** `DELETE /v1/agent/contacts/:id`: how much was erased. */
export interface ContactErasedResponse {
  /** `files`: the attachments whose bytes were deleted from the storage. */
  erased: { conversations: number; events: number; files: number };
}

export interface AgentSummary {
  email: string;
  name: string;
  status: "online" | "away" | "offline";
}

export interface AgentsResponse {
  agents: AgentSummary[];
}

export interface AgentReplyRequest {
  /** Optional when the reply carries attachments. */
  text?: string;
  /** Ids of files uploaded to this conversation (`POST /v1/agent/attachments`), at most 10. */
  attachments?: string[];
  /** The reply's idempotency key: sent again, it answers the stored event (200). */
  clientId?: string;
  channel?: ChannelName;
}

/** An internal note: words only. */
export interface AgentNoteRequest {
  text: string;
  clientId?: string;
}

export interface AgentReplyResponse {
  event: ThreadEvent;
  deliveredVia: ChannelName;
}

export interface CallbacksResponse {
  /** Ordered by window start, earliest first. */
  callbacks: CallbackRequest[];
  /** How long before an unclaimed window starts the agents are reminded (the site's setting). */
  remindMinutes: number;
}

/**
 * `PATCH /v1/agent/callbacks/:id`: claim it (`claim: true` takes it, `false` gives it back),
 * change its status, or both. `outcome` goes with `completed` / `missed`; `scheduledFor` with
 * `scheduled`.
 */
export interface UpdateCallbackRequest {
  claim?: boolean;
  status?: Exclude<CallbackStatus, "requested">;
  outcome?: string;
  scheduledFor?: string;
}

export interface UpdateConversationRequest {
  status?: ConversationStatus;
  /** An agent's email, or null to unassign. */
  assignee?: string | null;
}

// ---- Live frames (WebSocket /v1/live and /v1/agent/live) ----

/** The first frame a client sends; the token never travels in the URL. */
export interface HelloFrame {
  type: "hello";
  token: string;
  /** The last `seq` the client holds; the server sends every event after it. */
  after?: number;
}

export interface SendFrame {
  type: "send";
  clientId: string;
  /** Optional when the message carries attachments. */
  text?: string;
  /** Ids of files uploaded to this conversation (`POST /v1/attachments`), at most 10. */
  attachments?: string[];
}

export interface TypingFrame {
  type: "typing";
  /** Agents name the conversation; visitors type in their own. */
  conversationId?: string;
}

/** Agents: online (taking new conversations) or away; connected counts as online. */
export interface PresenceFrame {
  type: "presence";
  status: "online" | "away";
}

export type ClientFrame = HelloFrame | SendFrame | TypingFrame | PresenceFrame;

export interface EventFrame {
  type: "event";
  conversationId: string;
  event: ThreadEvent;
}

export interface TypingNoticeFrame {
  type: "typing";
  conversationId: string;
  author: Author;
}

export interface ConversationFrame {
  type: "conversation";
  conversation: Conversation;
}

/** To agents: a teammate's presence changed. */
export interface PresenceNoticeFrame {
  type: "presence";
  email: string;
  status: "online" | "away" | "offline";
}

/**
 * To agents: a callback request changed (new, claimed, status), or `due`: it starts within the
 * reminder lead time and nobody has claimed it.
 */
export interface CallbackFrame {
  type: "callback";
  callback: CallbackRequest;
  due?: boolean;
}

/** For agents: a contact's record changed (its attributes, from the CRM). */
export interface ContactFrame {
  type: "contact";
  contact: Contact;
}

/** For agents: a conversation was erased (its contact's data deleted): drop it. */
export interface ErasedFrame {
  type: "erased";
  conversationId: string;
}

export interface AckFrame {
  type: "ack";
  clientId: string;
  event: ThreadEvent;
}

export interface ReadyFrame {
  type: "ready";
  conversationId?: string;
}

export interface ErrorFrame {
  type: "error";
  /** Echoed for a failed `send`, so the client knows which message to retry. */
  clientId?: string;
  error: { code: ErrorCode; message: string };
}

export type ServerFrame =
  | EventFrame
  | TypingNoticeFrame
  | ConversationFrame
  | PresenceNoticeFrame
  | CallbackFrame
  | ContactFrame
  | ErasedFrame
  | AckFrame
  | ReadyFrame
  | ErrorFrame;

/** WebSocket close codes the server uses; 1012 tells clients to reconnect soon. */
export const CLOSE_SERVICE_RESTART = 1012;
export const CLOSE_POLICY_VIOLATION = 1008;

/** Upper bounds the server enforces; clients may check them first. */
export const LIMITS = {
  messageChars: 4000,
  clientIdChars: 64,
  bodyBytes: 32 * 1024,
} as const;
