import type {
  Attachment,
  Author,
  CallbackRequest,
  CallbackStatus,
  ChannelName,
  Contact,
  Conversation,
  ConversationContext,
  ConversationStatus,
  EventType,
  Identity,
  LinkedChannel,
  ThreadEvent,
} from "../../sdk/protocol.ts";

/** An event before the store numbers it: the store assigns `id` and `seq`. */
export interface NewEvent {
  type: EventType;
  channel: ChannelName;
  author: Author;
  text: string;
  /** ISO 8601. */
  createdAt: string;
  /** Idempotency key: appending the same key twice returns the first event. */
  clientId?: string;
  name?: string;
  data?: Record<string, unknown>;
  /** The files a message carries (their links are made when the event is sent out). */
  attachments?: StoredAttachment[];
}

/** An attachment as a stored event names it: no link, which is made fresh on each read. */
export type StoredAttachment = Omit<Attachment, "url">;

/**
 * A file a conversation holds (docs/architecture.md §12): what it is, for whom;
 * its bytes are the attachment storage's. Its id begins with its conversation's
 * (`<conversationId>-<random>`), so a record is found from the id alone.
 */
export interface AttachmentRecord {
  id: string;
  siteId: string;
  conversationId: string;
  /** The safe file name, its extension the type's. */
  name: string;
  /** The type its bytes are. */
  type: string;
  size: number;
  /** ISO 8601. */
  createdAt: string;
  /** Who brought it: the visitor, an agent, or the channel it arrived by. */
  from: "visitor" | "agent" | ChannelName;
}

/** The conversation an attachment id belongs to, or null when it is not shaped as ours. */
export function attachmentConversation(id: string): string | null {
  return /^([a-z2-7]{1,64})-[a-z2-7]{8,32}$/.exec(id)?.[1] ?? null;
}

export interface AppendResult {
  event: ThreadEvent;
  /** True when the key was seen before and `event` is the first one stored under it. */
  duplicate: boolean;
  /** The conversation's assignee after the append, if any: routing needs it without a read. */
  assignee?: string;
}

/** The fields of a conversation that change outside of appends. */
export interface ConversationPatch {
  status?: ConversationStatus;
  /** null unassigns. */
  assignee?: string | null;
  context?: ConversationContext;
  channels?: LinkedChannel[];
  activeChannel?: ChannelName;
  /** Moves the conversation to another contact (a verified identity merged two). */
  contactId?: string;
  /** ISO 8601; also re-sorts the inbox. */
  updatedAt: string;
}

export interface ListOptions {
  status?: ConversationStatus;
  limit?: number;
}

/** Something every server instance must hear about: fanned out by the store's bus. */
export type PresenceStatus = "online" | "away";

export type LiveNotice =
  | { kind: "event"; siteId: string; conversationId: string; event: ThreadEvent }
  | { kind: "presence"; siteId: string; email: string; status: PresenceStatus | "offline" }
  | { kind: "conversation"; siteId: string; conversation: Conversation }
  | { kind: "typing"; siteId: string; conversationId: string; author: Author }
  /** For agents: a callback request changed, or (`due`) it starts soon and nobody claimed it. */
  | { kind: "callback"; siteId: string; callback: CallbackRequest; due?: boolean }
  /** For agents: a contact's record changed. */
  | { kind: "contact"; siteId: string; contact: Contact }
  /** A conversation was erased: consoles drop it, its visitor's socket is closed. */
  | { kind: "erased"; siteId: string; conversationId: string };

export type Unsubscribe = () => void;

/**
 * What a site's CRM hears, by webhook and on the event feed (docs/architecture.md §11). The store writes each
 * item in the same step as the change it reports, so none is lost between the two.
 */
export const FEED_TYPES = [
  "conversation.created",
  "conversation.updated",
  "message.created",
  "channel.linked",
  "contact.updated",
  "callback.updated",
  "csat.submitted",
] as const;
export type FeedType = (typeof FEED_TYPES)[number];

/** The append-only logs each site has, kept {@link LOG_RETENTION_MS}, read by cursor. */
export type SiteLog = "feed" | "deliveries" | "audit";

/** One item of a site log: its cursor (`<ms>-<n>`, increasing) and its JSON body as stored. */
export interface LogItem {
  cursor: string;
  body: string;
}

/** What an item is about, so erasure can find it (never part of the body). */
export interface LogRefs {
  conversationId?: string;
  contactId?: string;
}

/** A webhook endpoint as the queue sees it: its id and the feed types it takes. */
export interface QueueEndpoint {
  id: string;
  events: readonly FeedType[];
}

/**
 * The head of one delivery lane (one endpoint × one conversation, so a conversation's items go
 * out in order), leased to the caller until `token` (ms): no other instance gets it meanwhile.
 */
export interface WebhookClaim {
  lane: string;
  token: string;
  siteId: string;
  endpointId: string;
  /** 1 on the first try. */
  attempt: number;
  /** The feed item to send; null when erasure or age removed it: settle it as `skipped`. */
  item: (LogItem & { type: FeedType }) | null;
  refs: LogRefs;
}

export type WebhookOutcome =
  /** Delivered, given up on, or gone from the feed: the lane moves to its next item. */
  | { result: "delivered" | "failed" | "skipped"; log?: string }
  /** Tried again at `retryAt` (ms). */
  | { result: "retry"; retryAt: number; log: string }
  /** The receiver answered 410: the endpoint is switched off and its lanes dropped. */
  | { result: "disabled"; log: string };

/**
 * Which live notices a subscription hears: a site's (its conversations' and its team's), or one
 * conversation's. No scope hears every notice of every site: one such subscription per
 * long-lived instance, routed to its sockets by the hub. A runtime whose connections cannot
 * share one (an edge worker) subscribes per connection to just what that connection needs.
 *
 * @example
 * const stop = await store.subscribe(onNotice, { siteId: "demo", conversationId: id });
 */
export interface NoticeScope {
  siteId: string;
  conversationId?: string;
}

export interface RateHit {
  /** Hits in the current window, this one included. */
  count: number;
  /** Milliseconds until the window resets. */
  resetMs: number;
}

/**
 * Everything omnithread keeps. One interface, one contract suite (`test/store.contract.ts`),
 * several implementations: `memory` (one process) and `redis` (TCP or Upstash REST).
 */
export interface Store {
  createContact(contact: Contact): Promise<void>;
  getContact(id: string): Promise<Contact | null>;
  /** Overwrites the contact document (attributes, identities, name, email). */
  saveContact(contact: Contact): Promise<void>;
  /**
   * Points an identity at a contact unless it already points at one; answers the contact id it
   * points at afterwards, so two racing links agree on one winner.
   */
  claimIdentity(
    siteId: string,
    identity: Pick<Identity, "kind" | "value">,
    contactId: string,
  ): Promise<string>;
  findContactId(siteId: string, identity: Pick<Identity, "kind" | "value">): Promise<string | null>;

  createConversation(conversation: Conversation): Promise<void>;
  getConversation(id: string): Promise<Conversation | null>;
  /** Applies a patch and answers the whole conversation, or null when there is none. */
  updateConversation(id: string, patch: ConversationPatch): Promise<Conversation | null>;
  /** A site's conversations, most recently updated first. */
  listConversations(siteId: string, options?: ListOptions): Promise<Conversation[]>;
  /** Ids of a contact's conversations, oldest first. */
  contactConversationIds(contactId: string): Promise<string[]>;

  /**
   * Appends one event atomically: idempotency check, next seq with no gaps, the log, the
   * conversation's lastSeq/updatedAt/activeChannel, the inbox order, and a live notice. A visitor
   * message reopens a resolved conversation. Throws when the conversation does not exist.
   */
  append(conversationId: string, event: NewEvent): Promise<AppendResult>;
  /** Events with seq > after, in seq order, at most `limit`. */
  eventsAfter(conversationId: string, after: number, limit?: number): Promise<ThreadEvent[]>;

  /**
   * Saves a callback request if the stored copy's `version` is `expected` (0: none stored yet),
   * moving it between the site's status indexes; answers false, changing nothing, otherwise.
   * Two agents acting on one callback at once: the second one's stale copy is refused.
   */
  saveCallback(callback: CallbackRequest, expected: number): Promise<boolean>;
  getCallback(id: string): Promise<CallbackRequest | null>;
  /**
   * A site's callbacks in the given statuses, at most `limit` (default 100): by window start
   * when all the statuses are active (requested, scheduled), else the latest change first.
   */
  listCallbacks(
    siteId: string,
    statuses: readonly CallbackStatus[],
    limit?: number,
  ): Promise<CallbackRequest[]>;
  /** A conversation's callbacks, the newest request first. */
  conversationCallbacks(conversationId: string): Promise<CallbackRequest[]>;

  /**
   * Keeps a value for `ttlMs`, to be taken once (one-time codes). A value naming a conversation
   * gives it as `owner`, so erasing the conversation takes the value too.
   */
  putOnce(key: string, value: string, ttlMs: number, owner?: string): Promise<void>;
  /** The first taker gets the value; later ones, and anyone after expiry, get null. */
  takeOnce(key: string): Promise<string | null>;
  /** A value put with `putOnce`, left in place (a short link, read on every click), or null. */
  peekOnce(key: string): Promise<string | null>;

  /** Keeps an attachment's record with its conversation (erased with it). */
  saveAttachment(record: AttachmentRecord): Promise<void>;
  /** The record of attachment `id`, or null. */
  getAttachment(id: string): Promise<AttachmentRecord | null>;
  /** A conversation's attachments, oldest first (the export lists them). */
  conversationAttachments(conversationId: string): Promise<AttachmentRecord[]>;

  /**
   * Marks an agent online or away until `expiresAt` (ms); instances holding the agent's socket
   * refresh it, so a crashed instance's agents fade out by themselves. `null` clears it.
   */
  setPresence(
    siteId: string,
    email: string,
    status: PresenceStatus | null,
    expiresAt: number,
  ): Promise<void>;
  /** Agents of a site whose presence has not expired at `now` (ms). */
  presence(siteId: string, now: number): Promise<Record<string, PresenceStatus>>;

  /**
   * Raises a shared high-water mark to at least `value` (kept `ttlMs` after its last raise) and
   * answers the mark afterwards; `value` 0 only reads it (0 when there is none). One round trip,
   * atomic across instances (e.g. the highest seq a visitor's socket was sent).
   */
  raiseMark(key: string, value: number, ttlMs: number): Promise<number>;

  /** Counts a hit in a fixed window shared by every instance. */
  hit(key: string, windowMs: number): Promise<RateHit>;

  /** Fans a notice out to every instance's subscribers (appends publish their own). */
  publish(notice: LiveNotice): Promise<void>;
  /**
   * Listens to live notices, all of them or those of a scope. Resolves once listening, so a
   * notice published after that is heard; rejects when the bus cannot be reached.
   */
  subscribe(listener: (notice: LiveNotice) => void, scope?: NoticeScope): Promise<Unsubscribe>;

  /**
   * A site log's items after `after` (exclusive; from the oldest kept without it), oldest first,
   * at most `limit`. The feed is written by `createConversation`, `append` (events that map to a
   * {@link FeedType}) and `saveContact`; the delivery log by `settleWebhook`.
   */
  readLog(
    siteId: string,
    log: SiteLog,
    after: string | undefined,
    limit: number,
  ): Promise<LogItem[]>;
  /** Adds an item to a site log and answers its cursor. */
  writeLog(siteId: string, log: SiteLog, body: string, refs: LogRefs): Promise<string>;

  /**
   * Moves the feed items each endpoint takes onto its delivery lanes, from where it stopped (a
   * new endpoint starts at the feed's end). Safe to run anywhere at once: each item is queued
   * once per endpoint. Endpoints a 410 switched off are passed over. Answers how many it queued.
   */
  queueWebhooks(siteId: string, endpoints: readonly QueueEndpoint[], now: number): Promise<number>;
  /** Leases up to `limit` lanes whose next attempt is due at `now`, for `leaseMs`. */
  claimWebhooks(now: number, leaseMs: number, limit: number): Promise<WebhookClaim[]>;
  /**
   * Settles a claim (and logs the attempt in the site's delivery log); false, changing nothing,
   * when its lease ran out and another instance may have it.
   */
  settleWebhook(claim: WebhookClaim, outcome: WebhookOutcome, now: number): Promise<boolean>;

  /**
   * A site's conversations due for erasure, at most `limit`: resolved (and untouched since)
   * before `resolvedBefore` (ms), and abandoned: opened before `idleBefore` (ms) and no visitor
   * message yet.
   */
  expiring(
    siteId: string,
    cutoffs: { resolvedBefore?: number; idleBefore: number },
    limit: number,
  ): Promise<string[]>;

  /**
   * Erases conversations of a site and, with `contactId`, that contact: conversation, log,
   * idempotency keys, callbacks, inbox places, one-time values, queued webhooks, every site-log
   * item about them, and the contact's record and identities (a later message from the same
   * address starts a new contact). Answers how many conversations and events it erased.
   */
  erase(
    siteId: string,
    target: { conversationIds: readonly string[]; contactId?: string },
  ): Promise<{ conversations: number; events: number }>;

  /** Resolves once the store answered a trivial command: it can serve (`GET /ready`). */
  ping(): Promise<void>;

  close(): Promise<void>;
}

/** How long site logs (feed, deliveries, audit) keep an item (docs/architecture.md §11). */
export const LOG_RETENTION_MS = 7 * 24 * 3_600_000;

/** The log is capped per read so one request can never pull an unbounded history. */
export const MAX_EVENTS_PER_READ = 500;
