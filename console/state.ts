/**
 * The console's state and everything that changes it: login, the inbox and its filters, the
 * open thread, the callback queue, live frames, replies, notes, assignment, presence. The views
 * only read the state and call these actions; the DOM wiring (keys, history, visibility,
 * timers) lives in `main.tsx`.
 */
import type {
  Agent,
  CallbackRequest,
  ChannelName,
  Contact,
  ContactErasedResponse,
  Conversation,
  ConversationStatus,
  ServerFrame,
  ThreadEvent,
  UpdateCallbackRequest,
  UpdateConversationRequest,
} from "../sdk/protocol.ts";
import { type AgentSummary, type Api, ApiError } from "./api.ts";
import {
  type CallbackFilter,
  isActive,
  localZone,
  mergeCallback,
  REMIND_MS,
  withCallback,
} from "./callbacks.ts";
import type { Live, LiveOptions, LiveStatus, Presence } from "./live.ts";

export type Owner = "all" | "mine" | "unassigned";

export interface Filters {
  status: ConversationStatus;
  channel: ChannelName | "all";
  owner: Owner;
}

export interface Session {
  token: string;
  agent: Agent;
}

export interface Thread {
  id: string;
  loading: boolean;
  error: string | null;
  conversation: Conversation | null;
  contact: Contact | null;
  /** Every event the agent may see, ordered by seq, each once. */
  events: ThreadEvent[];
  /** The conversation's callback requests, newest first. */
  callbacks: CallbackRequest[];
  /** The contact's other conversations, when the server sends them. */
  earlier?: Conversation[];
}

export type ComposerMode = "reply" | "note";

/** What the console shows beside the header: the inbox (with the open thread) or the callback queue. */
export type View = "inbox" | "callbacks";

/** Where the address bar points: `/console/`, `/console/c/<id>`, `/console/callbacks`. */
export interface Route {
  view: View;
  /** The open conversation (inbox view only). */
  id: string | null;
}

export interface State {
  session: Session | null;
  /** Shown on the login form: why the agent is there (a session that ended). */
  notice: string | null;
  /** Every conversation the console knows, by id; the inbox shows those matching the filters. */
  conversations: Record<string, Conversation>;
  inbox: { loading: boolean; error: string | null };
  filters: Filters;
  selectedId: string | null;
  thread: Thread | null;
  /** Conversation id → until when (ms) the visitor counts as typing. */
  typing: Record<string, number>;
  /** Conversation id → the last seq this agent has seen. */
  seen: Record<string, number>;
  /** Contact id → name, learnt from opened threads, for the inbox. */
  names: Record<string, string>;
  live: LiveStatus;
  presence: Presence;
  agents: AgentSummary[];
  /** New conversations and visitor messages that arrived while the tab was hidden. */
  hidden: number;
  /** The clock the relative times are drawn from; ticks every 30 s. */
  now: number;
  /** `focus` grows each time the composer should take the focus (r, n). */
  composer: { mode: ComposerMode; focus: number };
  help: boolean;
  /** The last failed assign / resolve / reopen, shown in the thread's header. */
  actionError: string | null;
  /** Why the open thread closed by itself (its conversation was erased), shown in its place. */
  threadNotice: string | null;
  view: View;
  /** Every callback request the console knows, by id; the queue shows those matching its filter. */
  callbacks: Record<string, CallbackRequest>;
  queue: { filter: CallbackFilter; loading: boolean; error: string | null };
  /** Callbacks the server announced as due (unclaimed, starting soon), newest first, until dismissed. */
  reminders: string[];
  /** The agent's IANA time zone: the browser's. */
  timeZone: string;
  /** How long before an unclaimed window starts it is due: the site's reminder lead time. */
  remindMs: number;
}

/** How long a typing notice shows without a new one. */
export const TYPING_MS = 6000;
/** One typing frame per this many ms while the agent types. */
export const TYPING_THROTTLE_MS = 1500;
const SESSION_KEY = "omnithread:console:session";
const PRESENCE_KEY = "omnithread:console:presence";
const SEEN_PREFIX = "omnithread:console:seen:";
/** The seen map keeps the most recent entries only. */
const SEEN_MAX = 1000;

// ---- Pure helpers (unit-tested) ----

const CONSOLE = "/console/";

/**
 * The route an address names; anything unknown is the inbox.
 *
 * @example
 * routeOf("/console/c/abc") // { view: "inbox", id: "abc" }
 */
export function routeOf(pathname: string): Route {
  if (pathname === `${CONSOLE}callbacks`) return { view: "callbacks", id: null };
  const match = pathname.match(/^\/console\/c\/([^/]+)$/);
  let id: string | null = null;
  try {
    id = match ? decodeURIComponent(match[1]!) : null;
  } catch {
    // A malformed escape: no conversation.
  }
  return { view: "inbox", id };
}

/** The address of a route: the inverse of `routeOf`. */
export function pathOf(route: Route): string {
  if (route.view === "callbacks") return `${CONSOLE}callbacks`;
  return route.id ? `${CONSOLE}c/${encodeURIComponent(route.id)}` : CONSOLE;
}

/** The callbacks the agent should be reminded of now: announced as due, still unclaimed and active. */
export function dueReminders(state: Pick<State, "reminders" | "callbacks">): CallbackRequest[] {
  return state.reminders
    .map((id) => state.callbacks[id])
    .filter((c): c is CallbackRequest => Boolean(c && isActive(c) && !c.claimedBy));
}

/**
 * How an appended event changes its conversation: the mirror of the server's `applyAppend`, so
 * the inbox stays current from event frames alone.
 */
export function applyEvent(conversation: Conversation, event: ThreadEvent): Conversation {
  if (event.seq <= conversation.lastSeq) return conversation;
  const next: Conversation = { ...conversation, lastSeq: event.seq, updatedAt: event.createdAt };
  if (event.type === "message") next.lastText = event.text.slice(0, 140);
  if (event.type === "message" && event.author.role === "visitor") {
    next.activeChannel = event.channel;
    if (next.status === "resolved") next.status = "open";
  }
  return next;
}

/** A conversation frame folded into what is known: an older snapshot never rolls it back. */
export function mergeConversation(
  known: Conversation | null | undefined,
  incoming: Conversation,
): Conversation {
  if (!known || incoming.lastSeq >= known.lastSeq) return incoming;
  const { lastSeq, lastText, updatedAt, activeChannel } = known;
  return { ...incoming, lastSeq, updatedAt, activeChannel, ...(lastText ? { lastText } : {}) };
}

/** Events merged by seq: ordered, each seq once (the first copy wins: events never change). */
export function mergeEvents(
  events: readonly ThreadEvent[],
  incoming: readonly ThreadEvent[],
): ThreadEvent[] {
  const bySeq = new Map<number, ThreadEvent>();
  for (const event of [...events, ...incoming]) {
    if (!bySeq.has(event.seq)) bySeq.set(event.seq, event);
  }
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

/** The inbox: conversations matching the filters, most recently updated first. */
export function inboxList(
  conversations: Record<string, Conversation>,
  filters: Filters,
  me: string | undefined,
): Conversation[] {
  return Object.values(conversations)
    .filter(
      (c) =>
        c.status === filters.status &&
        (filters.channel === "all" || c.activeChannel === filters.channel) &&
        (filters.owner === "all" || (filters.owner === "mine" ? c.assignee === me : !c.assignee)),
    )
    .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt) || a.id.localeCompare(b.id));
}

/** Unread: the conversation has events after the last one this agent saw. */
export function isUnread(conversation: Conversation, seen: Record<string, number>): boolean {
  return conversation.lastSeq > (seen[conversation.id] ?? 0);
}

/**
 * The open thread with `contact`'s new record, when it is that thread's contact; else as it was.
 *
 * @example
 * set((s) => ({ thread: withContact(s.thread, frame.contact) }));
 */
export function withContact(thread: Thread | null, contact: Contact): Thread | null {
  return thread?.contact?.id === contact.id ? { ...thread, contact } : thread;
}

/**
 * The state without the conversations `gone` (erased): out of the inbox, the typing notices,
 * the callback queue and its reminders, and the thread pane when one of them is open there.
 */
export function withoutConversations(
  state: Pick<State, "conversations" | "typing" | "callbacks" | "reminders" | "thread">,
  gone: ReadonlySet<string>,
): Pick<State, "conversations" | "typing" | "callbacks" | "reminders" | "thread"> {
  const keep = <T>(record: Record<string, T>, ok: (key: string, value: T) => boolean) =>
    Object.fromEntries(Object.entries(record).filter(([key, value]) => ok(key, value)));
  const callbacks = keep(state.callbacks, (_, c) => !gone.has(c.conversationId));
  return {
    conversations: keep(state.conversations, (id) => !gone.has(id)),
    typing: keep(state.typing, (id) => !gone.has(id)),
    callbacks,
    reminders: state.reminders.filter((id) => id in callbacks),
    thread: state.thread && gone.has(state.thread.id) ? null : state.thread,
  };
}

/** What a conversation is called: the contact's name or email if known, else a short id. */
export function displayName(
  conversation: Conversation,
  contact?: Contact | null,
  names: Record<string, string> = {},
): string {
  const attributes = conversation.context.attributes ?? {};
  const fromAttributes = [attributes.name, attributes.email].find(
    (v): v is string => typeof v === "string" && v.trim() !== "",
  );
  const summary = (conversation as Conversation & { contactName?: string }).contactName;
  return (
    contact?.name ||
    contact?.email ||
    names[conversation.contactId] ||
    summary ||
    fromAttributes ||
    `Visitor ${conversation.contactId.slice(0, 6)}`
  );
}

/** The channels a reply can go by: the active one first, then every other linked one. */
export function replyChannels(conversation: Conversation): ChannelName[] {
  const all = [conversation.activeChannel, ...conversation.channels.map((c) => c.channel)];
  // A callback is a phone call: its number is linked, but nothing can be written to it.
  return [...new Set(all)].filter((channel) => channel !== "callback");
}

function friendly(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  return "Something went wrong. Try again.";
}

// ---- The controller ----

/** Key-value storage (sessionStorage, localStorage, or a map in tests). */
export interface KeyValue {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export interface ConsoleDeps {
  api: Api;
  connect(options: LiveOptions): Live;
  liveUrl: string;
  /** Per tab: the token (gone when the tab closes). */
  session: KeyValue;
  /** Per browser: what each agent has seen. */
  local: KeyValue;
  /** Is the tab visible (document.visibilityState)? */
  visible(): boolean;
  /** Puts a path (`pathOf(route)`) in the address bar. */
  navigate(path: string): void;
  now?: () => number;
  /** The agent's IANA time zone; default: the browser's. */
  timeZone?: string;
}

function read<T>(storage: KeyValue, key: string): T | null {
  try {
    const raw = storage.getItem(key);
    return raw ? (JSON.parse(raw) as T) : null;
  } catch {
    return null;
  }
}

function write(storage: KeyValue, key: string, value: unknown): void {
  try {
    storage.setItem(key, JSON.stringify(value));
  } catch {
    // Storage full or blocked: the console works on, it just forgets sooner.
  }
}

/**
 * @example
 * const app = createConsole({ api, connect: connectLive, liveUrl, session: sessionStorage, local: localStorage, visible, navigate });
 * app.subscribe(() => render(app.state));
 * await app.login("agent@example.com", "omnithread-demo");
 */
export function createConsole(deps: ConsoleDeps) {
  const now = deps.now ?? Date.now;
  const listeners = new Set<() => void>();
  let live: Live | null = null;
  let inboxRequest = 0;
  let threadRequest = 0;
  let refreshTimer: ReturnType<typeof setTimeout> | null = null;
  let lastTyping = Number.NEGATIVE_INFINITY;
  let filling = false;
  let callbacksRequest = 0;
  /** Callbacks changed by frames or actions while a queue read is in flight: its answer may predate them. */
  const touched = new Set<string>();
  /** Conversations erased while this console runs: a read already in flight must not bring them back. */
  const erased = new Set<string>();

  let state: State = {
    session: null,
    notice: null,
    conversations: {},
    inbox: { loading: false, error: null },
    filters: { status: "open", channel: "all", owner: "all" },
    selectedId: null,
    thread: null,
    typing: {},
    seen: {},
    names: {},
    live: "offline",
    presence: read<Presence>(deps.session, PRESENCE_KEY) === "away" ? "away" : "online",
    agents: [],
    hidden: 0,
    now: now(),
    composer: { mode: "reply", focus: 0 },
    help: false,
    actionError: null,
    threadNotice: null,
    view: "inbox",
    callbacks: {},
    queue: { filter: "active", loading: false, error: null },
    reminders: [],
    timeZone: deps.timeZone ?? localZone(),
    remindMs: REMIND_MS,
  };

  function set(patch: Partial<State> | ((s: State) => Partial<State>)): void {
    state = { ...state, ...(typeof patch === "function" ? patch(state) : patch) };
    for (const listener of listeners) listener();
  }

  const seenKey = () => `${SEEN_PREFIX}${state.session?.agent.email ?? ""}`;

  function markSeen(id: string, seq: number): void {
    if ((state.seen[id] ?? 0) >= seq) return;
    const seen = { ...state.seen, [id]: seq };
    const keys = Object.keys(seen);
    if (keys.length > SEEN_MAX) {
      for (const key of keys.slice(0, keys.length - SEEN_MAX)) delete seen[key];
    }
    set({ seen });
    write(deps.local, seenKey(), seen);
  }

  function upsert(conversation: Conversation): void {
    if (erased.has(conversation.id)) return;
    set((s) => ({
      conversations: {
        ...s.conversations,
        [conversation.id]: mergeConversation(s.conversations[conversation.id], conversation),
      },
      ...(s.thread?.id === conversation.id
        ? {
            thread: {
              ...s.thread,
              conversation: mergeConversation(s.thread.conversation, conversation),
            },
          }
        : {}),
    }));
  }

  /** Adds events the console learnt of (a reply it sent, a live frame, a refetch). */
  function addEvents(id: string, events: ThreadEvent[]): void {
    if (events.length === 0 || erased.has(id)) return;
    set((s) => {
      let conversation = s.conversations[id];
      for (const event of events) if (conversation) conversation = applyEvent(conversation, event);
      const thread =
        s.thread?.id === id
          ? {
              ...s.thread,
              events: mergeEvents(s.thread.events, events),
              conversation: s.thread.conversation
                ? events.reduce(applyEvent, s.thread.conversation)
                : null,
            }
          : s.thread;
      return {
        conversations: conversation ? { ...s.conversations, [id]: conversation } : s.conversations,
        thread,
      };
    });
    if (state.thread?.id === id && !state.thread.loading && deps.visible()) {
      markSeen(id, Math.max(...events.map((e) => e.seq)));
    }
  }

  async function loadInbox(): Promise<void> {
    const status = state.filters.status;
    const request = ++inboxRequest;
    set({ inbox: { loading: true, error: null } });
    try {
      const { conversations } = await deps.api.inbox(status);
      if (request !== inboxRequest) return;
      set((s) => {
        const next: Record<string, Conversation> = {};
        // Those of this status the server no longer lists have moved on (or fell off the page).
        for (const [id, c] of Object.entries(s.conversations)) {
          if (c.status !== status) next[id] = c;
        }
        for (const c of conversations) {
          if (!erased.has(c.id)) next[c.id] = mergeConversation(s.conversations[c.id], c);
        }
        return { conversations: next, inbox: { loading: false, error: null } };
      });
    } catch (error) {
      if (request === inboxRequest) set({ inbox: { loading: false, error: friendly(error) } });
    }
  }

  /** An event for a conversation the inbox has not heard of: fetch the list once things settle. */
  function refreshSoon(): void {
    if (refreshTimer) return;
    refreshTimer = setTimeout(() => {
      refreshTimer = null;
      void loadInbox();
    }, 300);
  }

  async function loadAgents(): Promise<void> {
    const me = state.session?.agent;
    if (!me) return;
    const self: AgentSummary = { email: me.email, name: me.name, status: "online" };
    try {
      const { agents } = await deps.api.agents();
      set({ agents: agents.some((a) => a.email === me.email) ? agents : [self, ...agents] });
    } catch {
      // Older servers have no agents list: the agent can still assign to themselves.
      set({ agents: [self] });
    }
  }

  /** A callback the console learnt of (a frame, an action's answer): the queue and the open thread. */
  function upsertCallback(callback: CallbackRequest): void {
    touched.add(callback.id);
    set((s) => ({
      // Due and overdue are judged on the clock: read it when the facts change, not 30 s later.
      now: now(),
      callbacks: {
        ...s.callbacks,
        [callback.id]: mergeCallback(s.callbacks[callback.id], callback),
      },
      ...(s.thread?.id === callback.conversationId
        ? { thread: { ...s.thread, callbacks: withCallback(s.thread.callbacks, callback) } }
        : {}),
    }));
  }

  async function loadCallbacks(): Promise<void> {
    const filter = state.queue.filter;
    const request = ++callbacksRequest;
    touched.clear();
    set((s) => ({ queue: { ...s.queue, loading: true, error: null } }));
    try {
      const { callbacks, remindMinutes } = await deps.api.callbacks(filter);
      if (request !== callbacksRequest) return;
      set((s) => {
        const listed = (c: CallbackRequest) =>
          filter === "active" ? isActive(c) : c.status === filter;
        const next: Record<string, CallbackRequest> = {};
        // Those of this filter the server no longer lists have moved on, unless a frame said
        // otherwise after the read began.
        for (const [id, c] of Object.entries(s.callbacks)) {
          if (!listed(c) || touched.has(id)) next[id] = c;
        }
        for (const c of callbacks) next[c.id] = mergeCallback(s.callbacks[c.id], c);
        return {
          now: now(),
          callbacks: next,
          queue: { ...s.queue, loading: false, error: null },
          ...(typeof remindMinutes === "number" ? { remindMs: remindMinutes * 60_000 } : {}),
        };
      });
    } catch (error) {
      if (request === callbacksRequest) {
        set((s) => ({ queue: { ...s.queue, loading: false, error: friendly(error) } }));
      }
    }
  }

  async function loadThread(id: string, after = 0): Promise<void> {
    const request = ++threadRequest;
    try {
      const data = await deps.api.thread(id, after);
      if (request !== threadRequest || state.thread?.id !== id) return;
      set((s) => {
        const thread = s.thread!;
        const conversation = mergeConversation(thread.conversation, data.conversation);
        const name = data.contact.name || data.contact.email;
        return {
          thread: {
            ...thread,
            loading: false,
            error: null,
            conversation,
            contact: data.contact,
            events: mergeEvents(thread.events, data.events),
            callbacks: (data.callbacks ?? []).reduce<CallbackRequest[]>(
              (list, c) => withCallback(list, mergeCallback(s.callbacks[c.id], c)),
              [],
            ),
            ...(data.earlier ? { earlier: data.earlier } : {}),
          },
          conversations: {
            ...s.conversations,
            [id]: mergeConversation(s.conversations[id], conversation),
          },
          names: name ? { ...s.names, [data.contact.id]: name } : s.names,
        };
      });
      if (deps.visible()) markSeen(id, state.thread?.conversation?.lastSeq ?? 0);
    } catch (error) {
      if (request === threadRequest && state.thread?.id === id) {
        set({ thread: { ...state.thread, loading: false, error: friendly(error) } });
      }
    }
  }

  /** The contact behind the open thread changed (identified, merged): read it again. */
  function refreshThread(id: string): void {
    const thread = state.thread;
    if (thread?.id !== id || thread.loading) return;
    void loadThread(id, thread.events.at(-1)?.seq ?? 0);
  }

  /** A live event arrived ahead of a gap (frames lost in a reconnect): read what is missing. */
  async function fillGap(id: string, after: number): Promise<void> {
    if (filling) return;
    filling = true;
    try {
      // `after` is the last seq held before the early event arrived: read from there.
      const data = await deps.api.thread(id, after);
      addEvents(id, data.events);
    } catch {
      // The next reconnect refetches.
    } finally {
      filling = false;
    }
  }

  /** Conversations erased (by this agent or a teammate): gone from every view, for good. */
  function forget(ids: readonly string[], notice: string): void {
    for (const id of ids) erased.add(id);
    const open = state.thread !== null && erased.has(state.thread.id);
    if (open) deps.navigate(pathOf({ view: "inbox", id: null }));
    set((s) => ({
      ...withoutConversations(s, erased),
      ...(open ? { selectedId: null, actionError: null, threadNotice: notice } : {}),
    }));
  }

  function onFrame(frame: ServerFrame): void {
    if (frame.type === "conversation") {
      const c = frame.conversation;
      const isNew = !state.conversations[c.id] && c.lastSeq === 0;
      const moved = state.thread?.id === c.id && state.thread.contact?.id !== c.contactId;
      upsert(c);
      if (moved) refreshThread(c.id);
      if (isNew && !deps.visible()) set((s) => ({ hidden: s.hidden + 1 }));
    } else if (frame.type === "event") {
      const { conversationId: id, event } = frame;
      const thread = state.thread;
      const held = thread?.events.at(-1)?.seq ?? 0;
      const gap =
        thread?.id === id && !thread.loading && event.seq > held + 1 && thread.events.length > 0;
      const known = Boolean(state.conversations[id]);
      addEvents(id, [event]);
      if (event.name === "contact.identified") refreshThread(id);
      if (event.type === "message" && event.author.role === "visitor") {
        set((s) => {
          const { [id]: _gone, ...typing } = s.typing;
          return { typing, hidden: deps.visible() ? s.hidden : s.hidden + 1 };
        });
      }
      if (!known) refreshSoon();
      if (gap) void fillGap(id, held);
    } else if (frame.type === "callback") {
      const { callback, due } = frame;
      upsertCallback(callback);
      if (due && !callback.claimedBy && !state.reminders.includes(callback.id)) {
        set((s) => ({
          reminders: [callback.id, ...s.reminders],
          hidden: deps.visible() ? s.hidden : s.hidden + 1,
        }));
      }
    } else if (frame.type === "contact") {
      // The CRM changed the record (attributes): the open customer card shows it at once.
      set((s) => ({ thread: withContact(s.thread, frame.contact) }));
    } else if (frame.type === "erased") {
      forget(
        [frame.conversationId],
        "That conversation was erased: its customer's data is deleted.",
      );
    } else if (frame.type === "presence") {
      set((s) => ({
        agents: s.agents.map((a) => (a.email === frame.email ? { ...a, status: frame.status } : a)),
      }));
    } else if (frame.type === "typing") {
      if (frame.author.role !== "visitor") return;
      const until = now() + TYPING_MS;
      set((s) => ({ typing: { ...s.typing, [frame.conversationId]: until } }));
      setTimeout(() => {
        if (state.typing[frame.conversationId] !== until) return;
        set((s) => {
          const { [frame.conversationId]: _gone, ...typing } = s.typing;
          return { typing };
        });
      }, TYPING_MS + 50);
    }
    // "error" frames answer a typing frame for a conversation gone meanwhile: nothing to act on.
  }

  function startLive(session: Session): void {
    live?.close();
    live = deps.connect({
      url: deps.liveUrl,
      token: session.token,
      frame: onFrame,
      status: (status) => set({ live: status }),
      ready: (again) => {
        // Connected counts as online; say so only when the agent stepped away.
        if (state.presence === "away") live?.send({ type: "presence", status: "away" });
        if (again) {
          // Frames missed while away are not replayed: read the inbox and the team again.
          void loadInbox();
          void loadAgents();
          void loadCallbacks();
          if (state.thread) refreshThread(state.thread.id);
        }
      },
      unauthorized: () => logout("Your session has ended. Please log in again."),
    });
  }

  function begin(session: Session, route: Route | null): void {
    set({
      session,
      notice: null,
      seen: read<Record<string, number>>(deps.local, `${SEEN_PREFIX}${session.agent.email}`) ?? {},
    });
    startLive(session);
    void loadInbox();
    void loadAgents();
    void loadCallbacks();
    if (route) go(route, { push: false });
  }

  function logout(notice: string | null = null): void {
    live?.close();
    live = null;
    if (refreshTimer) clearTimeout(refreshTimer);
    refreshTimer = null;
    deps.session.removeItem(SESSION_KEY);
    inboxRequest++;
    threadRequest++;
    callbacksRequest++;
    set({
      session: null,
      notice,
      conversations: {},
      thread: null,
      selectedId: null,
      typing: {},
      agents: [],
      hidden: 0,
      live: "offline",
      help: false,
      actionError: null,
      threadNotice: null,
      view: "inbox",
      callbacks: {},
      queue: { filter: "active", loading: false, error: null },
      reminders: [],
    });
  }

  /** Opens a conversation (or none) in the inbox view. */
  function select(id: string | null, options: { push?: boolean } = {}): void {
    if (options.push !== false) deps.navigate(pathOf({ view: "inbox", id }));
    if (state.view !== "inbox") set({ view: "inbox" });
    if (id === state.selectedId && state.thread && !state.thread.error) return;
    set({
      selectedId: id,
      actionError: null,
      threadNotice: null,
      thread: id
        ? {
            id,
            loading: true,
            error: null,
            conversation: state.conversations[id] ?? null,
            contact: null,
            events: [],
            callbacks: [],
          }
        : null,
    });
    if (id) void loadThread(id);
  }

  /** The inbox (keeping the open thread) or the callback queue (read again: it is cheap). */
  function show(view: View, options: { push?: boolean } = {}): void {
    if (options.push !== false) {
      deps.navigate(pathOf({ view, id: view === "inbox" ? state.selectedId : null }));
    }
    if (view === state.view) return;
    set({ view });
    if (view === "callbacks") void loadCallbacks();
  }

  /** Follows an address: the history's back and forward, a restored tab. */
  function go(route: Route, options: { push?: boolean } = {}): void {
    if (route.view === "callbacks") show("callbacks", options);
    else select(route.id, options);
  }

  async function update(patch: UpdateConversationRequest): Promise<void> {
    const id = state.thread?.id;
    if (!id) return;
    set({ actionError: null });
    try {
      const { conversation } = await deps.api.update(id, patch);
      upsert(conversation);
    } catch (error) {
      set({ actionError: friendly(error) });
    }
  }

  return {
    get state(): State {
      return state;
    },
    subscribe(listener: () => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    /** Resumes the tab's session, if it has one; `route` is the address bar's. */
    restore(route: Route | null): void {
      const session = read<Session>(deps.session, SESSION_KEY);
      if (session?.token && session.agent?.email) begin(session, route);
    },

    /** Logs in; a wrong password rejects with the server's message. */
    async login(email: string, password: string, route: Route | null = null): Promise<void> {
      const { token, agent } = await deps.api.login(email, password);
      const session = { token, agent };
      write(deps.session, SESSION_KEY, session);
      begin(session, route);
    },

    logout,
    /** A 401 from any call: back to the login form with a reason. */
    unauthorized(): void {
      if (state.session) logout("Your session has ended. Please log in again.");
    },

    setFilters(patch: Partial<Filters>): void {
      const statusChanged = patch.status !== undefined && patch.status !== state.filters.status;
      set((s) => ({ filters: { ...s.filters, ...patch } }));
      if (statusChanged) void loadInbox();
    },
    reloadInbox: loadInbox,

    select,
    show,
    go,
    /** j / k: the next or previous conversation of the inbox, opened. Answers its id. */
    move(delta: 1 | -1): string | null {
      const list = inboxList(state.conversations, state.filters, state.session?.agent.email);
      if (list.length === 0) return null;
      const at = list.findIndex((c) => c.id === state.selectedId);
      const next = at === -1 ? list[0]! : list[Math.min(list.length - 1, Math.max(0, at + delta))]!;
      select(next.id);
      return next.id;
    },

    /** Sends a reply; rejects with an ApiError (shown inline) when the server refuses. */
    async reply(
      text: string,
      clientId: string,
      channel?: ChannelName,
      attachments?: string[],
    ): Promise<void> {
      const id = state.thread?.id;
      if (!id) return;
      const { event } = await deps.api.reply(id, {
        ...(text ? { text } : {}),
        ...(attachments?.length ? { attachments } : {}),
        clientId,
        ...(channel ? { channel } : {}),
      });
      addEvents(id, [event]);
    },
    /** Uploads a file to the open conversation, for the next reply. */
    async upload(file: File, progress: (share: number) => void): Promise<string> {
      const id = state.thread?.id;
      if (!id) throw new Error("No conversation is open");
      return (await deps.api.upload(id, file, progress)).attachment.id;
    },
    async note(text: string, clientId: string): Promise<void> {
      const id = state.thread?.id;
      if (!id) return;
      const { event } = await deps.api.note(id, { text, clientId });
      addEvents(id, [event]);
    },
    /** The agent is typing a reply: tells the visitor, at most every 1.5 s. */
    typing(): void {
      const id = state.thread?.id;
      if (!id || now() - lastTyping < TYPING_THROTTLE_MS) return;
      if (live?.send({ type: "typing", conversationId: id })) lastTyping = now();
    },

    assign: (assignee: string | null) => update({ assignee }),
    resolve: () =>
      state.thread?.conversation?.status === "resolved"
        ? Promise.resolve()
        : update({ status: "resolved" }),
    reopen: () => update({ status: "open" }),

    /** The open thread's contact, everything held on it, as the server's JSON document. */
    exportContact(): Promise<unknown> {
      const contactId = state.thread?.conversation?.contactId;
      if (!contactId) return Promise.reject(new ApiError("not_found", "No contact open.", 404));
      return deps.api.exportContact(contactId);
    },
    /**
     * Erases the open thread's contact and all its conversations. Rejects with the server's
     * ApiError (shown on the card); on success the thread closes, here and on every console.
     */
    async eraseContact(): Promise<ContactErasedResponse["erased"]> {
      const thread = state.thread;
      const contactId = thread?.conversation?.contactId;
      if (!thread || !contactId) throw new ApiError("not_found", "No contact open.", 404);
      const { erased: counts } = await deps.api.eraseContact(contactId);
      const ids = [
        thread.id,
        ...(thread.earlier ?? []).map((c) => c.id),
        ...Object.values(state.conversations)
          .filter((c) => c.contactId === contactId)
          .map((c) => c.id),
      ];
      const conversations = counts.conversations === 1 ? "conversation" : "conversations";
      const notice = `Erased the customer and ${counts.conversations} ${conversations}.`;
      forget(ids, notice);
      // The erased frame may have closed the thread first, with a teammate's wording.
      if (state.thread === null) set({ threadNotice: notice });
      return counts;
    },

    // ---- The callback queue ----

    setCallbackFilter(filter: CallbackFilter): void {
      if (filter === state.queue.filter) return;
      set((s) => ({ queue: { ...s.queue, filter } }));
      void loadCallbacks();
    },
    reloadCallbacks: loadCallbacks,
    /**
     * Claims or releases a callback, or changes its status. Rejects with the server's ApiError
     * (409: claimed by someone else, or already final), shown on the row.
     */
    async updateCallback(id: string, patch: UpdateCallbackRequest): Promise<CallbackRequest> {
      const { callback } = await deps.api.updateCallback(id, patch);
      upsertCallback(callback);
      return callback;
    },
    /** Offers the visitor of a missed or cancelled callback a new window; answers the channel used. */
    async offerCallback(id: string): Promise<ChannelName> {
      const { event, deliveredVia } = await deps.api.offerCallback(id);
      const conversationId = state.callbacks[id]?.conversationId;
      if (conversationId) addEvents(conversationId, [event]);
      return deliveredVia;
    },
    dismissReminder(id: string): void {
      set((s) => ({ reminders: s.reminders.filter((r) => r !== id) }));
    },

    setPresence(presence: Presence): void {
      set({ presence });
      write(deps.session, PRESENCE_KEY, presence);
      live?.send({ type: "presence", status: presence });
    },
    /** r / n: the composer in reply or note mode, focused. */
    compose(mode: ComposerMode, focus = true): void {
      set((s) => ({ composer: { mode, focus: s.composer.focus + (focus ? 1 : 0) } }));
    },
    setHelp(help: boolean): void {
      set({ help });
    },
    tick(): void {
      set({ now: now() });
    },
    /** The tab was shown or hidden: shown clears the title count and marks the thread seen. */
    visibility(visible: boolean): void {
      if (!visible) return;
      set({ hidden: 0, now: now() });
      const thread = state.thread;
      if (thread?.conversation && !thread.loading) markSeen(thread.id, thread.conversation.lastSeq);
    },
    /** The browser is back online: reconnect without waiting out the backoff. */
    online(): void {
      live?.retry();
    },
  };
}

export type ConsoleApp = ReturnType<typeof createConsole>;
