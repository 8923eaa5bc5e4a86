import type {
  AttributeValue,
  CallbackWindow,
  CallbackWindowsResponse,
  ChannelName,
  Conversation,
  ConversationContext,
  ErrorCode,
  SiteInfo,
  ThreadEvent,
  VisitorCallback,
} from "./protocol.ts";

/**
 * Where the SDK keeps the conversation token: `localStorage`-shaped, synchronous or async
 * (React Native's AsyncStorage fits as it is). The client waits for a read before it starts and
 * keeps writes in order; a write that fails is dropped (the token stays in memory for this run).
 *
 * @example
 * import AsyncStorage from "@react-native-async-storage/async-storage";
 * const chat = createClient({ server, siteId: "demo", storage: AsyncStorage });
 */
export interface TokenStorage {
  getItem(key: string): string | null | Promise<string | null>;
  setItem(key: string, value: string): unknown;
  removeItem(key: string): unknown;
}

/** A store that answers reads at once, as `localStorage` and `memoryStorage()` do. */
export interface SyncTokenStorage extends TokenStorage {
  getItem(key: string): string | null;
}

export type ConnectionStatus = "idle" | "connecting" | "online" | "offline";

export interface ClientOptions {
  /** The omnithread server's base URL, e.g. `https://chat.example.com`. */
  server: string;
  siteId: string;
  /**
   * Default: the page's `localStorage` in browsers, memory elsewhere. Pass AsyncStorage (React
   * Native) or any store of that shape, sync or async, to keep the thread across launches.
   */
  storage?: TokenStorage;
  /**
   * `auto` tries WebSocket and falls back to SSE + POST; default `auto`. Where fetch cannot
   * stream (React Native's), `sse` polls `GET /v1/conversation` every 3 s instead.
   */
  transport?: "auto" | "websocket" | "sse";
  /** What to report about the page on `start()`; default: the current URL, referrer and locale. */
  context?: () => ConversationContext;
  /** A WebSocket implementation where there is no global one (Node 20: the `ws` package). */
  WebSocket?: WebSocketLike;
  /** A fetch implementation; default the global one. */
  fetch?: typeof fetch;
}

/**
 * The constructor shape the SDK needs from a WebSocket implementation: a browser's or React
 * Native's `WebSocket` and the `ws` package's fit as they are.
 *
 * @example
 * import WebSocket from "ws";
 * const chat = createClient({ server, siteId: "demo", WebSocket });
 */
export type WebSocketLike = new (url: string) => SocketLike;

/** Handlers are typed as methods so that implementations with richer event types fit. */
type Handler<E> = { bivarianceHack(event: E): void }["bivarianceHack"] | null;

/** The part of a WebSocket the SDK uses (structural: no DOM lib needed). */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(): void;
  onopen: Handler<unknown>;
  onmessage: Handler<{ data?: unknown }>;
  onclose: Handler<{ code?: number }>;
  onerror: Handler<unknown>;
}

/**
 * What a handoff needs: nothing for Messenger, the address for email, the number and a window
 * for a callback.
 *
 * @example
 * await chat.handoff("email", { email: "ana@example.com", transcript: true });
 * const { windows } = await chat.callbackWindows();
 * await chat.handoff("callback", { phone: "06 12345678", country: "NL", window: windows[0]! });
 */
export interface HandoffOptions {
  /** `email`: the address the thread continues at. `callback`: where a confirmation goes. */
  email?: string;
  /** `email`: also send the whole conversation once it is resolved. */
  transcript?: boolean;
  /** `callback`: E.164 (`+31612345678`), or a national number of `country`. */
  phone?: string;
  /** `callback`: the number's country (ISO 3166-1 alpha-2); default the site's callback country. */
  country?: string;
  /** `callback`: one of `callbackWindows()`'s windows, or `"asap"` when it offers that. */
  window?: CallbackWindow | "asap";
  /** `callback`: the visitor's IANA time zone; default this device's. */
  timeZone?: string;
  /** `callback`: what the visitor wants to talk about. */
  note?: string;
}

/**
 * The server's answer to a handoff: a link (Messenger), a confirmation (email), a request
 * (callback).
 *
 * @example
 * const { callback } = await chat.handoff("callback", { phone: "+31612345678", window: "asap" });
 * console.log(callback?.status); // "requested"
 */
export interface HandoffResult {
  url?: string;
  channel?: ChannelName;
  address?: string;
  callback?: VisitorCallback;
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
 * The headless chat client (docs/architecture.md §4). Nothing is stored and no request is made
 * until `start()` (or another call that needs the server).
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
  /**
   * What a callback may be asked for now (`GET /v1/callback-windows`): the next windows inside
   * the site's callback hours, whether "as soon as possible" is offered, and the phone field's
   * default country. Refused with `channel_not_configured` where the site takes no callbacks.
   *
   * @example
   * const { asap, windows, country } = await chat.callbackWindows();
   * const window = asap ? "asap" : windows[0]!;
   */
  callbackWindows(): Promise<CallbackWindowsResponse>;
  /**
   * This conversation's callback requests, newest first (`GET /v1/callbacks`).
   *
   * @example
   * const active = (await chat.callbacks()).find((c) => c.status === "requested" || c.status === "scheduled");
   */
  callbacks(): Promise<VisitorCallback[]>;
  /**
   * Cancels a callback the visitor asked for (`POST /v1/callbacks/:id/cancel`); the thread gets a
   * `callback.cancelled` event. Refused with `conflict` once it is completed, missed or cancelled.
   *
   * @example
   * const { callback } = await chat.handoff("callback", { phone, window: "asap" });
   * await chat.cancelCallback(callback!.id); // status "cancelled"
   */
  cancelCallback(id: string): Promise<VisitorCallback>;
  /** Answers the rating request that follows a resolve: 1–5 and an optional comment. */
  rate(rating: number, comment?: string): Promise<ThreadEvent>;
  /** Exchanges a resume link's one-time code for this conversation, then connects. */
  resume(code: string): Promise<Conversation>;
  /** Forgets the stored token and disconnects: the next `start()` begins a new conversation. */
  reset(): void;
  /** Disconnects; the stored token stays, so a later `start()` resumes. */
  close(): void;
}
