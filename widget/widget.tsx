// The widget's .tsx files use the classic JSX runtime, `h(type, props, ...children)`: it
// minifies ~160 bytes (gzip) smaller than the automatic one, and the bundle has a 16 KB budget.
/** @jsxRuntime classic */
/** @jsx h */
// biome-ignore lint/correctness/noUnusedImports: h is the JSX factory (the pragma above)
import { createRef, h, render } from "preact";
import type { AttributeValue, ChannelName, SiteInfo, ThreadEvent } from "../sdk/protocol.ts";
import type {
  ChatClient,
  ClientOptions,
  HandoffOptions,
  HandoffResult,
  TokenStorage,
} from "../sdk/types.ts";
import type { WidgetConfig } from "./config.ts";
import { AGENT, CB_CANCELLED, format, loadStrings, RATED, strings } from "./i18n.ts";
import { safeHref } from "./linkify.ts";
import { CSS } from "./styles.ts";
import { Root } from "./ui/Root.tsx";
import type { Actions, ActiveCallback, Outgoing, Refs, View, Ways } from "./ui/types.ts";

/** Events the page can listen to with `omnithread.on(name, fn)`. */
export type WidgetEvent = "ready" | "message" | "open" | "close" | "handoff";
export type Listener = (value?: unknown) => void;
export type HandoffChannel = Exclude<ChannelName, "web">;

export interface WidgetDeps {
  createClient(options: ClientOptions): ChatClient;
  /** Default: the SDK's (the page's localStorage). Tests pass memory storage. */
  storage?: TokenStorage;
}

/** The mounted widget: what `window.omnithread` calls, plus what the loader needs. */
export interface Widget {
  readonly host: HTMLElement;
  open(): void;
  close(): void;
  toggle(): void;
  identify(jwt: string): Promise<void>;
  setAttributes(attributes: Record<string, AttributeValue>): Promise<void>;
  on(event: WidgetEvent, listener: Listener): () => void;
  handoff(channel: HandoffChannel, options?: HandoffOptions): Promise<HandoffResult>;
  reset(): void;
  /** Starts (or resumes) the conversation without opening the panel. */
  connect(): Promise<unknown>;
  /** Redeems a resume link's one-time code and opens the thread. */
  resume(code: string): void;
  /** Fires `ready` (once; later listeners of `ready` are called at once). */
  ready(): void;
  destroy(): void;
}

/** How long a typing notice shows without a new one. */
const TYPING_MS = 6000;
/** How long the connection may be lost mid-chat before a callback is offered instead. */
const DROPPED_MS = 6000;

/**
 * The callback the visitor may still cancel: the latest one requested or scheduled with no
 * completed, missed or cancelled event after it, with the seq of its latest line.
 */
function activeCallback(events: readonly ThreadEvent[]): ActiveCallback | undefined {
  let active: ActiveCallback | undefined;
  for (const { name, data, seq } of events) {
    const id = data?.callbackId;
    if (typeof id !== "string") continue;
    if (name === "callback.requested" || name === "callback.scheduled") active = { id, seq };
    else if (/^callback\.(completed|missed|cancelled)$/.test(name!) && active?.id === id)
      active = undefined;
  }
  return active;
}

const noop = () => {};
/** Reports what no caller can see (a listener's throw, a queued call's failure). */
export const warn = (error: unknown) => console.warn("omnithread:", error);

/** Callback windows' days and times: in the visitor's own zone (no `timeZone`), named. */
export const whenFormat = (locale: string) =>
  new Intl.DateTimeFormat(locale, {
    weekday: "short",
    day: "numeric",
    month: "short",
    hour: "2-digit",
    minute: "2-digit",
    timeZoneName: "short",
  });

/** Black or white, whichever reads better on a `#rgb`/`#rrggbb` colour (WCAG contrast). */
export function textOn(color: string): string | undefined {
  let hex = /^#([\da-f]{3}|[\da-f]{6})$/i.exec(color.trim())?.[1];
  if (!hex) return undefined;
  if (hex.length === 3) hex = hex.replace(/./g, "$&$&");
  const [r, g, b] = [0, 2, 4].map((i) => {
    const c = Number.parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  // Black contrasts more than white exactly when (L + 0.05) / 0.05 > 1.05 / (L + 0.05), that is
  // when L > √0.0525 − 0.05 ≈ 0.1791.
  return 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.1791 ? "#000" : "#fff";
}

/** Constructable stylesheet (allowed by `style-src 'self'`), else a `<style nonce>`. */
function adoptStyles(root: ShadowRoot, nonce: string | undefined): void {
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
    root.adoptedStyleSheets = [sheet];
  } catch {
    const style = document.createElement("style");
    if (nonce) style.nonce = nonce;
    style.textContent = CSS;
    root.append(style);
  }
}

/**
 * Mounts the launcher in a shadow root on `document.body`. Nothing else happens (no client, no
 * request, no storage) until the visitor opens the chat or the page calls a method that needs
 * the server.
 *
 * @example
 * const widget = createWidget(readConfig(script, navigator.languages)!, { createClient });
 * widget.on("open", () => console.log("opened"));
 */
export function createWidget(config: WidgetConfig, deps: WidgetDeps): Widget {
  const host = document.createElement("omnithread-widget");
  const shadow = host.attachShadow({ mode: "open" });
  adoptStyles(shadow, config.nonce);
  const container = document.createElement("div");
  shadow.append(container);
  const setVar = (name: string, value: string) => host.style.setProperty(`--ot-${name}`, value);
  if (config.color) {
    setVar("accent", config.color);
    const on = textOn(config.color);
    if (on) setVar("on-accent", on);
  }
  if (config.zIndex) setVar("z", config.zIndex);

  /** The thread's part of the view: what `reset()` starts over with. */
  const fresh = (): Pick<
    View,
    | "unread"
    | "events"
    | "outgoing"
    | "status"
    | "typing"
    | "ways"
    | "csat"
    | "dropped"
    | "active"
    | "cancelling"
  > => ({
    unread: 0,
    events: [],
    outgoing: [],
    status: "idle",
    typing: null,
    ways: { open: false },
    csat: {},
    dropped: false,
    active: undefined,
    cancelling: undefined,
  });
  const v: View = {
    // The launcher's strings; the panel's arrive with the first open (`show`).
    t: strings(config.locale),
    time: new Intl.DateTimeFormat(config.locale, { hour: "2-digit", minute: "2-digit" }),
    when: whenFormat(config.locale),
    position: config.position,
    open: false,
    mounted: false,
    announce: "",
    greeting: config.greeting ?? "",
    channels: [],
    away: false,
    ...fresh(),
  };
  const refs: Refs = { launcher: createRef(), input: createRef(), log: createRef() };
  const listeners = new Map<WidgetEvent, Set<Listener>>();
  let isReady = false;
  /** `v.t` holds the panel's strings (true): English's are in widget.js; another locale's come
   * with its pack (a promise while it loads). */
  let localized: boolean | Promise<void> = config.locale === "en";
  let client: ChatClient | null = null;
  let started: Promise<unknown> | null = null;
  /** False while a snapshot's history arrives: only later events are new (unread, announced). */
  let live = false;
  let attributes: Record<string, AttributeValue> | null = null;
  let nextId = 0;
  let shown = 0;
  let typingTimer: ReturnType<typeof setTimeout> | undefined;
  let droppedTimer: ReturnType<typeof setTimeout> | undefined;
  let queued = false;
  /** The site info shown: a snapshot brings a new one; conversation updates keep it. */
  let known: SiteInfo | null = null;

  function emit(event: WidgetEvent, value?: unknown): void {
    for (const listener of listeners.get(event) ?? []) {
      try {
        listener(value);
      } catch (error) {
        warn(error);
      }
    }
  }

  function draw(): void {
    queued = false;
    render(<Root v={v} a={actions} r={refs} />, container);
    const count = v.events.length + v.outgoing.length;
    const log = refs.log.current;
    if (log && count !== shown) log.scrollTop = log.scrollHeight;
    shown = count;
  }

  function update(): void {
    if (queued) return;
    queued = true;
    queueMicrotask(draw);
  }

  function siteInfo(): void {
    const site = client?.site;
    if (!site || site === known) return;
    known = site;
    v.channels = site.channels ?? [];
    if (!config.greeting && site.greeting) v.greeting = site.greeting;
    // Said plainly, by the composer: messages still go out (the first agent back gets them).
    v.away = !(site.open && site.agentsOnline);
    update();
  }

  function onEvent(event: ThreadEvent): void {
    v.events = client!.messages.filter((e) => e.type !== "note");
    v.active = activeCallback(v.events);
    // A new rating request is a new card: nothing picked yet, whatever the last answer's fate.
    if (event.name === "csat.requested") v.csat = {};
    if (event.author.role === "visitor") {
      const index = v.outgoing.findIndex((o) => !o.failed && o.text === event.text);
      if (index >= 0) v.outgoing = v.outgoing.filter((_, i) => i !== index);
    } else if (live && event.type === "message") {
      v.typing = null;
      v.announce = `${event.author.name || v.t[AGENT]}: ${event.text}`;
      if (!v.open) v.unread++;
      // An agent answers live: not away any more.
      if (event.author.role === "agent") v.away = false;
    }
    if (live) emit("message", event);
    update();
  }

  function getClient(): ChatClient {
    if (client) return client;
    const created = deps.createClient({
      server: config.server,
      siteId: config.siteId,
      ...(deps.storage ? { storage: deps.storage } : {}),
    });
    client = created;
    created.on("message", onEvent);
    created.on("conversation", siteInfo);
    created.on("status", (status) => {
      v.status = status;
      if (status === "online" || status === "idle") {
        clearTimeout(droppedTimer);
        droppedTimer = undefined;
        v.dropped = false;
      } else if (status === "offline" && live && !droppedTimer) {
        // Lost mid-chat, and still not back (it goes offline, connecting, offline …) after a
        // while: a phone call may work where the chat does not.
        droppedTimer = setTimeout(() => {
          v.dropped = true;
          update();
        }, DROPPED_MS);
      }
      update();
    });
    created.on("typing", (who) => {
      if (who.role === "visitor") return;
      v.typing = who.name || v.t[AGENT];
      clearTimeout(typingTimer);
      typingTimer = setTimeout(() => {
        v.typing = null;
        update();
      }, TYPING_MS);
      update();
    });
    return created;
  }

  function connect(code?: string): Promise<unknown> {
    const c = getClient();
    started ??= (code ? c.resume(code).catch(() => c.start()) : c.start()).then(
      () => {
        live = true;
        siteInfo();
        flushAttributes();
      },
      (error: unknown) => {
        started = null;
        v.status = "error";
        update();
        throw error;
      },
    );
    return started;
  }

  /** Attributes set before the conversation existed go out once it does. */
  function flushAttributes(): void {
    if (!attributes) return;
    getClient().setAttributes(attributes).catch(warn);
    attributes = null;
  }

  const vv = window.visualViewport;
  const fitViewport = () => {
    if (!vv) return;
    setVar("vh", `${vv.height}px`);
    setVar("top", `${vv.offsetTop}px`);
  };
  function followViewport(on: boolean): void {
    if (!vv) return;
    const method = on ? "addEventListener" : "removeEventListener";
    vv[method]("resize", fitViewport);
    vv[method]("scroll", fitViewport);
    if (on) fitViewport();
  }

  /** Draws the panel and moves focus into the composer. */
  function show(): void {
    v.mounted = true;
    draw();
    refs.input.current?.focus();
  }

  function open(): void {
    if (v.open) return;
    v.open = true;
    v.unread = 0;
    followViewport(true);
    connect().catch(noop);
    if (localized === true) show();
    else {
      // The pack comes alongside the conversation's start; the panel waits for it rather than
      // flash English (and shows in English if it fails). The launcher says "close" meanwhile.
      draw();
      localized ||= loadStrings(config.server, config.locale).then((t) => {
        v.t = t;
        localized = true;
        if (v.open) show();
      });
    }
    emit("open");
  }

  function close(): void {
    if (!v.open) return;
    // Focus inside the shadow root shows as the host: give it back to the launcher.
    const focused = document.activeElement === host;
    v.open = false;
    followViewport(false);
    draw();
    if (focused) refs.launcher.current?.focus();
    emit("close");
  }

  function transmit(item: Outgoing): void {
    connect().catch(noop);
    getClient()
      .send(item.text)
      .then(
        () => {
          v.outgoing = v.outgoing.filter((o) => o !== item);
          update();
        },
        () => {
          item.failed = true;
          v.outgoing = [...v.outgoing];
          update();
        },
      );
  }

  async function handoff(
    channel: HandoffChannel,
    options?: HandoffOptions,
  ): Promise<HandoffResult> {
    await connect();
    const result = await getClient().handoff(channel, options);
    emit("handoff", { channel, ...result });
    return result;
  }

  const actions: Actions = {
    toggle: () => (v.open ? close() : open()),
    close,
    keydown(event) {
      if (event.key === "Escape" && v.open) {
        event.stopPropagation();
        close();
      }
    },
    send(text) {
      const item: Outgoing = { id: ++nextId, text, failed: false };
      v.outgoing = [...v.outgoing, item];
      update();
      transmit(item);
    },
    retry(item) {
      item.failed = false;
      v.outgoing = [...v.outgoing];
      update();
      transmit(item);
    },
    reconnect: () => void connect().catch(noop),
    typing: () => live && client?.typing(),
    ways() {
      v.ways = { open: !v.ways.open };
      update();
    },
    choose(channel, options) {
      if (v.ways.busy) return;
      // Email and callback ask first: their form, whose Send comes back here with the options.
      const ask = channel === "email" || channel === "callback";
      // A refused request keeps the callback form's windows.
      const offer = v.ways.channel === channel ? v.ways.offer : undefined;
      /** The menu, open on this channel, in a new state. */
      const show = (state: Partial<Ways>) => {
        v.ways = { open: true, channel, ask, offer, ...state };
        update();
      };
      if (ask && !options) {
        if (channel === "email") return show({});
        // The callback form offers the windows the server has now.
        show({ busy: true, offer: undefined });
        connect()
          .then(() => getClient().callbackWindows())
          .then(
            (windows) => show({ offer: windows }),
            () => show({ error: true }),
          );
        return;
      }
      show({ busy: true });
      handoff(channel as HandoffChannel, options).then(
        (result) => {
          const url = result.url && safeHref(result.url);
          show(url ? { ask: false, url } : { ask: false, done: true });
        },
        ({ code, message }: { code?: string; message?: string }) =>
          show({
            error: true,
            said: code === "bad_request" || code === "conflict" ? message : undefined,
            bad: code === "bad_request" ? /^"?(\w+)/.exec(message ?? "")?.[1] : undefined,
          }),
      );
    },
    cancelCallback(id) {
      v.cancelling = "busy";
      update();
      getClient()
        .cancelCallback(id)
        .then(
          () => {
            // Its button goes with the `callback.cancelled` line: focus to the composer, and the
            // outcome said to screen readers, which do not follow the log.
            v.cancelling = undefined;
            v.announce = v.t[CB_CANCELLED];
            update();
            refs.input.current?.focus();
          },
          () => {
            v.cancelling = "failed";
            update();
          },
        );
    },
    pick(rating) {
      v.csat = { rating };
      update();
    },
    rate(comment) {
      // Send is disabled until a score is picked. A repeat is harmless: the first answer stands.
      const { rating } = v.csat;
      getClient()
        .rate(rating!, comment)
        .then(
          () => {
            // The card became "You rated …" and its Send is gone: focus goes to the composer.
            v.csat = {};
            v.announce = format(v.t[RATED], rating!);
            update();
            refs.input.current?.focus();
          },
          () => {
            v.csat = { rating, error: true };
            update();
          },
        );
    },
  };

  document.body.append(host);
  draw();
  performance.mark("omnithread:launcher");

  return {
    host,
    open,
    close,
    toggle: actions.toggle,
    async identify(jwt) {
      await connect();
      live = false;
      try {
        await getClient().identify(jwt);
      } finally {
        live = true;
        flushAttributes();
      }
      siteInfo();
    },
    async setAttributes(values) {
      if (!live) {
        attributes = { ...attributes, ...values };
        return;
      }
      await getClient().setAttributes(values);
    },
    on(event, listener) {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      set.add(listener);
      if (event === "ready" && isReady) queueMicrotask(() => listener());
      return () => void set.delete(listener);
    },
    handoff,
    reset() {
      getClient().reset();
      started = null;
      live = false;
      Object.assign(v, fresh());
      update();
      if (v.open) connect().catch(noop);
    },
    connect: () => connect(),
    resume(code) {
      connect(code).catch(noop);
      open();
    },
    ready() {
      if (isReady) return;
      isReady = true;
      emit("ready");
    },
    destroy() {
      client?.close();
      clearTimeout(typingTimer);
      clearTimeout(droppedTimer);
      followViewport(false);
      render(null, container);
      host.remove();
    },
  };
}
