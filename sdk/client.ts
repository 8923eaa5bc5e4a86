import { createEmitter } from "./emitter.ts";
import { OmnithreadError } from "./errors.ts";
import { callServer, type RequestOptions } from "./http.ts";
import { type LiveConnection, openEvents, openSocket } from "./live.ts";
import type {
  CallbackWindowsResponse,
  Conversation,
  ConversationContext,
  ConversationSnapshot,
  ServerFrame,
  SiteInfo,
  ThreadEvent,
  VisitorCallback,
} from "./protocol.ts";
import { defaultStorage, storageKey as keyFor } from "./storage.ts";
import type {
  ChatClient,
  ClientEvents,
  ClientOptions,
  ConnectionStatus,
  HandoffResult,
  TokenStorage,
  WebSocketLike,
} from "./types.ts";

interface Outgoing {
  clientId: string;
  text: string;
  resolve(event: ThreadEvent): void;
  reject(error: OmnithreadError): void;
}

const RENEW_WITHIN_S = 86_400;
const TYPING_EVERY_MS = 1500;
/** Two refused WebSocket attempts in a row, never open: the network blocks them; use SSE. */
const SOCKET_FAILURES_BEFORE_SSE = 2;

/** Jittered exponential backoff: 0.5 s, 1 s, 2 s … up to 15 s, each 50–100 % of that. */
export function backoff(attempt: number): number {
  return Math.min(15_000, 500 * 2 ** attempt) * (0.5 + Math.random() / 2);
}

const http = (url: string | undefined) => (url && /^https?:/.test(url) ? url : undefined);

/** What a browser page can tell about the visitor; nothing outside a browser. */
function pageContext(): ConversationContext {
  if (typeof location === "undefined") return {};
  const url = http(location.href);
  const referrer = http(typeof document === "undefined" ? undefined : document.referrer);
  const locale = typeof navigator === "undefined" ? undefined : navigator.language;
  return {
    ...(url ? { url, pages: [{ url, title: document.title, at: "" }] } : {}),
    ...(referrer ? { referrer } : {}),
    ...(locale ? { locale } : {}),
  };
}

function expiresSoon(token: string): boolean {
  try {
    const payload = JSON.parse(atob(token.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/")));
    return payload.exp - Date.now() / 1000 < RENEW_WITHIN_S;
  } catch {
    return true;
  }
}

/**
 * Creates the headless chat client. Nothing is stored and no request is made until `start()`.
 *
 * @example
 * import { createClient } from "omnithread/sdk";
 * const chat = createClient({ server: "https://chat.example.com", siteId: "demo" });
 * chat.on("message", (event) => render(event));
 * await chat.start();
 * const event = await chat.send("Hello!"); // resolves once acknowledged, with its seq
 */
export function createClient(options: ClientOptions): ChatClient {
  const server = options.server.replace(/\/+$/, "");
  const fetchFn = options.fetch ?? globalThis.fetch.bind(globalThis);
  const WS: WebSocketLike | undefined =
    options.WebSocket ?? (globalThis.WebSocket as WebSocketLike | undefined);
  const storageKey = keyFor(options.siteId);
  const events = createEmitter<ClientEvents>();
  let storage = options.storage;
  let mode = options.transport === "sse" || !WS ? "sse" : "websocket";

  let token: string | null = null;
  let conversation: Conversation | null = null;
  let site: SiteInfo | null = null;
  let messages: ThreadEvent[] = [];
  let lastSeq = 0;
  let status: ConnectionStatus = "idle";
  let live: LiveConnection | null = null;
  let ready = false;
  let starting: Promise<Conversation> | null = null;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let attempt = 0;
  let socketFailures = 0;
  let lastTyping = 0;
  /** Bumped by close(): a start still in flight must not connect after it. */
  let generation = 0;
  const outbox: Outgoing[] = [];

  let stored: Promise<unknown> = Promise.resolve();
  /**
   * One storage call after the ones before it (a reset's remove is never overtaken by an earlier
   * set, sync or async); a failing one answers null and is otherwise dropped.
   */
  const keep = (task: (storage: TokenStorage) => unknown) =>
    (stored = stored
      .then(() => {
        storage ??= defaultStorage();
        return task(storage);
      })
      .catch(() => null));
  const call = <T>(path: string, init?: RequestOptions) =>
    callServer<T>(fetchFn, server + path, init);

  function setStatus(next: ConnectionStatus): void {
    if (next === status) return;
    status = next;
    events.emit("status", next);
  }

  /** Adds an event in seq order, once; answers whether it was new. */
  function learn(event: ThreadEvent): boolean {
    lastSeq = Math.max(lastSeq, event.seq);
    if (messages.some((m) => m.seq === event.seq)) return false;
    const at = messages.findIndex((m) => m.seq > event.seq);
    messages =
      at < 0 ? [...messages, event] : [...messages.slice(0, at), event, ...messages.slice(at)];
    events.emit("message", event);
    return true;
  }

  function setConversation(next: Conversation): void {
    conversation = next;
    events.emit("conversation", next);
  }

  /** Takes a snapshot the server sent: token, conversation, history. A different thread starts over. */
  function adopt(snapshot: ConversationSnapshot): Conversation {
    token = snapshot.token;
    site = snapshot.site;
    keep((s) => s.setItem(storageKey, snapshot.token));
    if (conversation && conversation.id !== snapshot.conversation.id) {
      messages = [];
      lastSeq = 0;
    }
    setConversation(snapshot.conversation);
    for (const event of snapshot.events) learn(event);
    return snapshot.conversation;
  }

  async function begin(): Promise<Conversation> {
    const mine = generation;
    const saved = (await keep((s) => s.getItem(storageKey))) as string | null;
    const body = { siteId: options.siteId, context: (options.context ?? pageContext)() };
    let snapshot: ConversationSnapshot;
    try {
      snapshot = await call<ConversationSnapshot>("/v1/conversations", { body, token: saved });
    } catch (error) {
      // A stored token the server no longer accepts (expired, rotated away): start afresh.
      if (
        !saved ||
        !(error instanceof OmnithreadError) ||
        (error.status !== 401 && error.status !== 403)
      )
        throw error;
      keep((s) => s.removeItem(storageKey));
      snapshot = await call<ConversationSnapshot>("/v1/conversations", { body });
    }
    // Closed or reset meanwhile: the answer must not bring the forgotten thread back.
    if (mine !== generation) return snapshot.conversation;
    const started = adopt(snapshot);
    connect();
    return started;
  }

  function ensureStarted(): Promise<Conversation> {
    starting ??= begin().catch((error) => {
      starting = null;
      throw error;
    });
    return starting;
  }

  function onFrame(frame: ServerFrame): void {
    if (frame.type === "event") learn(frame.event);
    else if (frame.type === "conversation") setConversation(frame.conversation);
    else if (frame.type === "typing") events.emit("typing", frame.author);
    else if (frame.type === "ack") settle(frame.clientId, frame.event);
    else if (frame.type === "ready") {
      ready = true;
      attempt = 0;
      setStatus("online");
      flush();
    } else if (frame.type === "error") {
      const error = new OmnithreadError(frame.error.code, frame.error.message);
      const failed = frame.clientId ? outbox.find((o) => o.clientId === frame.clientId) : undefined;
      // Refused input will never succeed; anything else (a limit, a hiccup) is retried later.
      if (failed) retryOrReject(failed, error);
      else events.emit("error", error);
    }
  }

  function retryOrReject(item: Outgoing, error: OmnithreadError): void {
    if (error.code === "bad_request" || error.code === "payload_too_large") {
      const index = outbox.indexOf(item);
      if (index >= 0) outbox.splice(index, 1);
      item.reject(error);
    } else {
      events.emit("error", error);
      setTimeout(() => transmit(item), (error.retryAfter ?? 0) * 1000 || backoff(1));
    }
  }

  function settle(clientId: string, event: ThreadEvent): void {
    learn(event);
    const index = outbox.findIndex((o) => o.clientId === clientId);
    if (index >= 0) outbox.splice(index, 1)[0]!.resolve(event);
  }

  function connect(): void {
    clearTimeout(retryTimer);
    live?.close();
    if (!token) return;
    setStatus("connecting");
    ready = false;
    const current = token;
    const handlers = {
      frame: onFrame,
      closed({ opened, code }: { opened: boolean; code?: number }) {
        live = null;
        ready = false;
        if (status === "idle") return;
        setStatus("offline");
        if (
          mode === "websocket" &&
          !opened &&
          ++socketFailures >= SOCKET_FAILURES_BEFORE_SSE &&
          options.transport !== "websocket"
        ) {
          mode = "sse";
        }
        if (opened) socketFailures = 0;
        // 1008: the hello was refused (say, the token expired); renew before trying again.
        const renew = code === 1008 || expiresSoon(current);
        retryTimer = setTimeout(
          () => (renew ? void renewThenConnect() : connect()),
          backoff(attempt++),
        );
      },
    };
    live =
      mode === "websocket" && WS
        ? openSocket(WS, `${server.replace(/^http/, "ws")}/v1/live`, current, lastSeq, handlers)
        : openEvents(fetchFn, server, current, lastSeq, handlers);
  }

  async function renewThenConnect(): Promise<void> {
    const mine = generation;
    try {
      starting = null;
      await ensureStarted();
    } catch (error) {
      events.emit("error", error as OmnithreadError);
      if (mine === generation)
        retryTimer = setTimeout(() => void renewThenConnect(), backoff(attempt++));
    }
  }

  /** Sends what waits in the outbox; the server's idempotency makes a repeat harmless. */
  function flush(): void {
    for (const item of outbox) transmit(item);
  }

  function transmit(item: Outgoing): void {
    // Acked meanwhile (a retry raced the ack), or not connected: the next `ready` flushes.
    if (!outbox.includes(item) || !ready || !token) return;
    if (live?.send({ type: "send", clientId: item.clientId, text: item.text })) return;
    call<{ event: ThreadEvent }>("/v1/messages", {
      token,
      body: { clientId: item.clientId, text: item.text },
    }).then(
      ({ event }) => settle(item.clientId, event),
      (error: OmnithreadError) => retryOrReject(item, error),
    );
  }

  return {
    start: ensureStarted,
    send(text) {
      // Queued at once, so the UI can show it as "sending…" even before the thread exists.
      return new Promise<ThreadEvent>((resolve, reject) => {
        // Not crypto.randomUUID: browsers offer it only on https and localhost pages.
        const clientId = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
        const item: Outgoing = { clientId, text, resolve, reject };
        outbox.push(item);
        ensureStarted().then(
          () => transmit(item),
          (error: OmnithreadError) => {
            outbox.splice(outbox.indexOf(item), 1);
            reject(error);
          },
        );
      });
    },
    get messages() {
      return messages;
    },
    get conversation() {
      return conversation;
    },
    get site() {
      return site;
    },
    get status() {
      return status;
    },
    get pending() {
      return outbox.map(({ clientId, text }) => ({ clientId, text }));
    },
    on: events.on,
    typing() {
      const now = Date.now();
      if (now - lastTyping < TYPING_EVERY_MS) return;
      lastTyping = now;
      live?.send({ type: "typing" });
    },
    async identify(jwt) {
      await ensureStarted();
      const before = conversation?.id;
      const snapshot = await call<ConversationSnapshot>("/v1/identify", { token, body: { jwt } });
      const next = adopt(snapshot);
      if (next.id !== before) {
        live?.close();
        connect();
      }
      return next;
    },
    async setAttributes(attributes) {
      await ensureStarted();
      const { conversation: next } = await call<{ conversation: Conversation }>(
        "/v1/conversation",
        {
          method: "PATCH",
          token,
          body: { context: { attributes } },
        },
      );
      setConversation(next);
      return next;
    },
    async handoff(channel, handoffOptions = {}) {
      await ensureStarted();
      const body = { channel, ...handoffOptions };
      // A callback's window is the visitor's: their device's zone unless told.
      if (channel === "callback")
        body.timeZone ??= Intl.DateTimeFormat().resolvedOptions().timeZone;
      return call<HandoffResult>("/v1/handoff", { token, body });
    },
    async callbackWindows() {
      await ensureStarted();
      return call<CallbackWindowsResponse>("/v1/callback-windows", { token });
    },
    async callbacks() {
      await ensureStarted();
      return (await call<{ callbacks: VisitorCallback[] }>("/v1/callbacks", { token })).callbacks;
    },
    async cancelCallback(id) {
      await ensureStarted();
      const path = `/v1/callbacks/${encodeURIComponent(id)}/cancel`;
      return (await call<{ callback: VisitorCallback }>(path, { token, body: {} })).callback;
    },
    async rate(rating, comment) {
      await ensureStarted();
      const { event } = await call<{ event: ThreadEvent }>("/v1/csat", {
        token,
        body: { rating, ...(comment ? { comment } : {}) },
      });
      learn(event);
      return event;
    },
    async resume(code) {
      const snapshot = await call<ConversationSnapshot>("/v1/resume", { body: { code } });
      live?.close();
      live = null;
      const next = adopt(snapshot);
      starting = Promise.resolve(next);
      connect();
      return next;
    },
    reset() {
      token = conversation = site = null;
      messages = [];
      lastSeq = 0;
      // Cleared first: the status listeners close() calls see the forgotten thread gone.
      this.close();
      // Typed for the forgotten thread: never sent into the next one.
      for (const item of outbox.splice(0))
        item.reject(new OmnithreadError("conflict", "The chat was reset"));
      keep((s) => s.removeItem(storageKey));
    },
    close() {
      generation++;
      starting = null;
      clearTimeout(retryTimer);
      setStatus("idle");
      live?.close();
      live = null;
      ready = false;
    },
  };
}
