/// <reference types="mocha" />
import { executeServerCommand } from "@web/test-runner-commands";
import { createClient, memoryStorage } from "../../sdk/index.ts";
import type {
  AgentThreadResponse,
  Author,
  ChannelName,
  ConversationStatus,
  UpdateCallbackRequest,
} from "../../sdk/protocol.ts";
import type { ChatClient, ClientOptions, TokenStorage } from "../../sdk/types.ts";
import type { WidgetConfig } from "../../widget/config.ts";
import { type Strings, strings } from "../../widget/i18n.ts";
import * as de from "../../widget/locales/de.ts";
import * as en from "../../widget/locales/en.ts";
import * as es from "../../widget/locales/es.ts";
import * as fr from "../../widget/locales/fr.ts";
import * as hr from "../../widget/locales/hr.ts";
import * as nl from "../../widget/locales/nl.ts";
import * as pl from "../../widget/locales/pl.ts";
import * as ru from "../../widget/locales/ru.ts";
import type { View } from "../../widget/ui/types.ts";
import { createWidget, type Widget, whenFormat } from "../../widget/widget.tsx";

declare global {
  interface Window {
    __OMNITHREAD_SERVER__: string;
  }
}

export function assert(condition: unknown, message = "assertion failed"): asserts condition {
  if (!condition) throw new Error(message);
}

export function equal<T>(actual: T, expected: T, message = ""): void {
  if (actual !== expected)
    throw new Error(
      `${message ? `${message}: ` : ""}expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`,
    );
}

/** Polls until `check` returns (or resolves to) a truthy value, and stops throwing. */
export async function waitFor<T>(
  check: () => T,
  what = "condition",
  timeout = 5000,
): Promise<NonNullable<Awaited<T>>> {
  const until = Date.now() + timeout;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as NonNullable<Awaited<T>>;
    } catch (error) {
      last = error;
    }
    if (Date.now() > until)
      throw new Error(`timed out waiting for ${what}${last ? `: ${last}` : ""}`);
    await new Promise((wait) => setTimeout(wait, 20));
  }
}

/** Every locale's modules, as written in the source. */
export const SOURCE_LOCALES: Record<
  string,
  { launcher: readonly string[]; panel: readonly string[] }
> = { en, nl, ru, hr, pl, de, fr, es };

/** A locale's whole row as the source has it (the widget gets its panel part from the pack). */
export const sourceStrings = (locale: string) =>
  [...SOURCE_LOCALES[locale]!.launcher, ...SOURCE_LOCALES[locale]!.panel] as unknown as Strings;

/**
 * A view as the widget's controller makes it (open, online, English, nothing in the thread), for
 * rendering a component alone with hand-made data.
 */
export const plainView = (view: Partial<View> = {}): View => ({
  t: strings("en"),
  time: new Intl.DateTimeFormat("en", { hour: "2-digit", minute: "2-digit" }),
  when: whenFormat("en"),
  position: "right",
  open: true,
  mounted: true,
  unread: 0,
  events: [],
  outgoing: [],
  status: "online",
  typing: null,
  announce: "",
  greeting: "",
  channels: [],
  ways: { open: false },
  away: false,
  csat: {},
  dropped: false,
  ...view,
});

/** Lets queued renders (microtasks) and a frame run. */
export const settle = () => new Promise((done) => requestAnimationFrame(() => setTimeout(done)));

/** The widget's configuration in tests: the real server the test runner started. */
export const CONFIG: WidgetConfig = {
  server: window.__OMNITHREAD_SERVER__,
  siteId: "demo",
  locale: "en",
  position: "right",
};

export interface Mounted {
  widget: Widget;
  root: ShadowRoot;
  /** Where the widget's real SDK client keeps the conversation token (one per widget). */
  storage: TokenStorage;
  /** The real SDK client the widget created, once it created one. */
  client(): ChatClient | null;
  /** The options the widget created its client with. */
  options: ClientOptions[];
  $<E extends Element = HTMLElement>(selector: string): E;
  $$(selector: string): Element[];
}

const mounted: { widget: Widget; clients: ChatClient[] }[] = [];

/**
 * Mounts a widget with the real SDK (`createClient`) against the real server, with storage of
 * its own so every test starts a fresh thread; `destroyAll()` in afterEach removes it.
 */
export function mount(config: Partial<WidgetConfig> = {}): Mounted {
  const storage = memoryStorage();
  const clients: ChatClient[] = [];
  const options: ClientOptions[] = [];
  const widget = createWidget(
    { ...CONFIG, ...config },
    {
      createClient(o) {
        options.push(o);
        const client = createClient(o);
        clients.push(client);
        return client;
      },
      storage,
    },
  );
  mounted.push({ widget, clients });
  const root = widget.host.shadowRoot!;
  return {
    widget,
    root,
    storage,
    client: () => clients[0] ?? null,
    options,
    $<E extends Element = HTMLElement>(selector: string) {
      const found = root.querySelector<E>(selector);
      if (!found) throw new Error(`no ${selector} in the widget`);
      return found;
    },
    $$: (selector) => [...root.querySelectorAll(selector)],
  };
}

/**
 * Removes every mounted widget. A start still in flight is let finish first: the SDK connects
 * once its start answers, even after `close()`, so closing before that would leave a live
 * connection (reconnecting for ever) behind the test.
 */
export async function destroyAll(): Promise<void> {
  for (const { widget, clients } of mounted.splice(0)) {
    await Promise.all(clients.map((c) => (c.conversation ? null : c.start().catch(() => null))));
    widget.destroy();
  }
}

/** The id of the widget's conversation, once started. */
export const conversationId = (m: Mounted) =>
  waitFor(() => m.client()?.conversation?.id, "a started conversation");

/** Waits until the widget's client is connected live. */
export const online = (m: Mounted, timeout = 5000) =>
  waitFor(() => m.client()?.status === "online", "online", timeout);

/** Opens a widget and answers its conversation's id once it is started and live. */
export async function started(m: Mounted): Promise<string> {
  m.widget.open();
  const id = await conversationId(m);
  await online(m);
  return id;
}

/** Sends from the composer, as a visitor does. */
export function type(m: Mounted, text: string): void {
  m.$<HTMLTextAreaElement>("textarea").value = text;
  m.$<HTMLFormElement>("form.composer").requestSubmit();
}

/**
 * Waits until the server acknowledged `text` (the client holds it with its seq) and the widget
 * shows it as sent: in the log, with nothing left sending or failed.
 */
export const acknowledged = (m: Mounted, text: string, timeout = 5000) =>
  waitFor(
    () =>
      m.client()?.messages.some((e) => e.author.role === "visitor" && e.text === text) &&
      m.$$(".log .text").some((p) => p.textContent === text) &&
      m.$$(".failed").length === 0 &&
      !m.root.textContent!.includes("Sending…"),
    `"${text}" acknowledged`,
    timeout,
  );

/** The server side, through commands the test runner's config runs against the real server. */
export const server = {
  /** Alex answers over the agent API, in a thread given by id or by its last text. */
  agentReply: (to: { conversationId: string } | { match: string }, text: string) =>
    executeServerCommand<{ conversationId: string; seq: number }, object>("agent-reply", {
      ...to,
      text,
    }),
  /** Alex types, from the agent's live socket. */
  agentTyping: (conversationId: string) =>
    executeServerCommand<{ ok: true }, object>("agent-typing", { conversationId }),
  /** Whether a typing notice from the visitor reached the server. */
  visitorTyping: async (conversationId: string) =>
    (await executeServerCommand<{ seen: boolean }, object>("visitor-typing", { conversationId }))
      .seen,
  /** An event from another channel (email, Messenger) or a system line, through the real store. */
  appendEvent: (
    conversationId: string,
    event: {
      text: string;
      channel: ChannelName;
      author: Author;
      type?: "message" | "system";
      name?: string;
      createdAt?: string;
    },
  ) => executeServerCommand<{ seq: number }, object>("append-event", { conversationId, ...event }),
  /**
   * A network path to the server that the test can cut and restore (a TCP proxy in front of the
   * real server): `{ down: true }` starts it cut. Closed after each test by `closeLinks()`.
   */
  async link(options: { down?: boolean } = {}) {
    const { id, url } = await executeServerCommand<{ id: string; url: string }, object>("link", {
      action: "open",
      ...options,
    });
    return {
      url,
      cut: () => executeServerCommand("link", { action: "cut", id }),
      restore: () => executeServerCommand("link", { action: "restore", id }),
    };
  },
  closeLinks: () => executeServerCommand("link", { action: "close-all" }),
  /**
   * Brings an agent online: their console socket (`/v1/agent/live`), open until `agentsOffline()`.
   * Alex of the demo site unless `email` names another (night@example.com: the "closed" site).
   */
  agentOnline: (email?: string) =>
    executeServerCommand<{ siteId: string }, object>("agent-online", {
      action: "open",
      ...(email ? { email } : {}),
    }),
  /** Closes the sockets `agentOnline()` opened; answers once their agents are offline. */
  agentsOffline: () => executeServerCommand("agent-online", { action: "close" }),
  /** Alex resolves (or reopens) the thread, as the console does. */
  setStatus: (conversationId: string, status: ConversationStatus) =>
    executeServerCommand<{ status: ConversationStatus }, object>("set-status", {
      conversationId,
      status,
    }),
  /** Alex changes a callback (`{ status, scheduledFor? }`), or offers it again (`"offer"`). */
  agentCallback: (id: string, change: UpdateCallbackRequest | "offer") =>
    executeServerCommand("agent-callback", { id, change }),
  /** The thread as the agent console loads it. */
  agentThread: (conversationId: string) =>
    executeServerCommand<AgentThreadResponse, object>("agent-thread", { conversationId }),
};

/** The element focused inside the widget's shadow root. */
export const focused = (m: Mounted) => m.root.activeElement;

/** axe-core, loaded once from node_modules as a classic script. */
export async function axe(): Promise<{
  run(
    context: Element,
    options?: object,
  ): Promise<{ violations: { id: string; help: string; nodes: { target: unknown }[] }[] }>;
}> {
  const w = window as unknown as { axe?: unknown };
  if (!w.axe) {
    await new Promise((done, fail) => {
      const script = document.createElement("script");
      script.src = "/node_modules/axe-core/axe.min.js";
      script.onload = done;
      script.onerror = fail;
      document.head.append(script);
    });
  }
  return w.axe as Awaited<ReturnType<typeof axe>>;
}

/** Fails with a readable list when axe finds violations in the element. */
export async function expectNoAxeViolations(element: Element): Promise<void> {
  const { violations } = await (await axe()).run(element, { resultTypes: ["violations"] });
  if (violations.length)
    throw new Error(
      violations
        .map((v) => `${v.id}: ${v.help} ${JSON.stringify(v.nodes.map((n) => n.target))}`)
        .join("\n"),
    );
}
