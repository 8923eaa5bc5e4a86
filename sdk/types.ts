import type {
  AttributeValue,
  ChannelName,
  Conversation,
  ConversationContext,
  ErrorCode,
  SiteInfo,
  ThreadEvent,
} from "./protocol.ts";

/** Where the SDK keeps the conversation token: `localStorage`-shaped, synchronous. */
export interface TokenStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export type ConnectionStatus = "idle" | "connecting" | "online" | "offline";

export interface ClientOptions {
  /** The omnithread server's base URL, e.g. `https://chat.example.com`. */
  server: string;
  siteId: string;
  /** Default: the page's `localStorage` in browsers, memory elsewhere. */
  storage?: TokenStorage;
  /** `auto` tries WebSocket and falls back to SSE + POST; default `auto`. */
  transport?: "auto" | "websocket" | "sse";
  /** What to report about the page on `start()`; default: the current URL, referrer and locale. */
  context?: () => ConversationContext;
  /** A WebSocket implementation where there is no global one (Node 20: `ws`). */
  WebSocket?: WebSocketLike;
  /** A fetch implementation; default the global one. */
  fetch?: typeof fetch;
}

/** The constructor shape the SDK needs from a WebSocket implementation. */
export type WebSocketLike = new (url: string) => WebSocket;

export interface HandoffOptions {
  /** `email`: the address the thread continues at. */
  email?: string;
  /** `email`: also send the whole conversation once it is resolved. */
  transcript?: boolean;
  /** `callback`: E.164 or a national number the server can normalise. */
  phone?: string;
  window?: { from: string; to: string };
  timeZone?: string;
  note?: string;
}

/** The server's answer to a handoff: a link (Messenger), a confirmation (email), a request (callback). */
export interface HandoffResult {
  url?: string;
  channel?: ChannelName;
  address?: string;
  callback?: Record<string, unknown>;
}

export interface TypingInfo {
  role: "agent" | "bot" | "visitor" | "system";
  name?: string;
}

/** Events a client emits, with what each listener receives. */
export interface ClientEvents {
  /** A new (or newly learned) visible event: a message or a system event. */
  message: ThreadEvent;
  status: ConnectionStatus;
  typing: TypingInfo;
  conversation: Conversation;
  /** Something failed in the background (a reconnect, a refused send); the client carries on. */
  error: OmnithreadErrorLike;
}

export interface OmnithreadErrorLike {
  code: ErrorCode | "network";
  message: string;
}

/**
 * The headless chat client (DESIGN §4). Nothing is stored and no request is made until
 * `start()` (or another call that needs the server).
 */
export interface ChatClient {
  /** Starts or resumes the visitor's conversation and connects live. */
  start(): Promise<Conversation>;
  /**
   * Sends a message; resolves with the event once the server acknowledged it (with its `seq`).
   * Typed while offline, it waits in the outbox and goes out once on reconnect.
   */
  send(text: string): Promise<ThreadEvent>;
  /** Visible events so far, ordered by `seq`, no duplicates. */
  readonly messages: readonly ThreadEvent[];
  readonly conversation: Conversation | null;
  /** The site's name, greeting and handoff channels, once started. */
  readonly site: SiteInfo | null;
  readonly status: ConnectionStatus;
  /** Messages not yet acknowledged, in the order they were typed. */
  readonly pending: readonly { clientId: string; text: string }[];
  on<K extends keyof ClientEvents>(
    event: K,
    listener: (value: ClientEvents[K]) => void,
  ): () => void;
  /** Tells the agent the visitor is typing (throttled). */
  typing(): void;
  /** Links the visitor to a verified user: a JWT your backend signed with the site's identity secret. */
  identify(jwt: string): Promise<Conversation>;
  setAttributes(attributes: Record<string, AttributeValue>): Promise<Conversation>;
  handoff(channel: Exclude<ChannelName, "web">, options?: HandoffOptions): Promise<HandoffResult>;
  /** Answers the rating request that follows a resolve: 1–5 and an optional comment. */
  rate(rating: number, comment?: string): Promise<ThreadEvent>;
  /** Exchanges a resume link's one-time code for this conversation, then connects. */
  resume(code: string): Promise<Conversation>;
  /** Forgets the stored token and disconnects: the next `start()` begins a new conversation. */
  reset(): void;
  /** Disconnects; the stored token stays, so a later `start()` resumes. */
  close(): void;
}
