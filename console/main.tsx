/**
 * The agent console's entry: wires the state to the DOM (render, keys, history, tab visibility,
 * the 30 s clock) and lays out the views: inbox | thread | customer card, or the callback queue.
 */
import { render } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { createApi } from "./api.ts";
import { tabTitle } from "./format.ts";
import { connectLive } from "./live.ts";
import { type ConsoleApp, createConsole, routeOf, type State } from "./state.ts";
import { CallbackQueue, CallbacksTab, Reminders } from "./views/Callbacks.tsx";
import { CustomerCard } from "./views/CustomerCard.tsx";
import { ViewLink } from "./views/common.tsx";
import { Inbox } from "./views/Inbox.tsx";
import { Login } from "./views/Login.tsx";
import { Thread } from "./views/Thread.tsx";

const route = () => routeOf(location.pathname);

const SHORTCUTS: [string, string][] = [
  ["i", "Show the inbox"],
  ["c", "Show the callback queue"],
  ["j", "Next conversation"],
  ["k", "Previous conversation"],
  ["r", "Write a reply"],
  ["n", "Write an internal note"],
  ["e", "Resolve the conversation"],
  ["Esc", "Leave the text box"],
  ["?", "Show these shortcuts"],
];

/** The keyboard shortcuts, in a modal dialog. */
function Help({ open, close }: { open: boolean; close(): void }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);
  return (
    <dialog ref={ref} class="help" aria-labelledby="help-title" onClose={close}>
      <h2 id="help-title">Keyboard shortcuts</h2>
      <dl>
        {SHORTCUTS.map(([key, what]) => (
          <div key={key}>
            <dt>
              <kbd>{key}</kbd>
            </dt>
            <dd>{what}</dd>
          </div>
        ))}
      </dl>
      <p class="muted">Shortcuts pause while you type in a text box.</p>
      <form method="dialog">
        <button type="submit" class="primary">
          Close
        </button>
      </form>
    </dialog>
  );
}

const LIVE_TEXT: Record<State["live"], string> = {
  online: "Live",
  connecting: "Connecting…",
  offline: "Offline, reconnecting…",
};

function Shell({ state, app }: { state: State; app: ConsoleApp }) {
  const agent = state.session!.agent;
  const online = state.presence === "online";
  const inbox = state.view === "inbox";
  return (
    <div class={state.thread ? "shell has-thread" : "shell"}>
      <header class="top">
        <h1 class="brand">
          omnithread <span>console</span>
        </h1>
        <nav class="views" aria-label="Views">
          <ViewLink view="inbox" app={app} current={inbox} keys="i">
            Inbox
          </ViewLink>
          <CallbacksTab state={state} app={app} />
        </nav>
        <p class={`live ${state.live}`} role="status">
          {LIVE_TEXT[state.live]}
        </p>
        <div class="top-actions">
          <button
            type="button"
            role="switch"
            aria-checked={online}
            class={online ? "presence on" : "presence"}
            onClick={() => app.setPresence(online ? "away" : "online")}
          >
            Available
            <span class="presence-state" aria-hidden="true">
              {online ? "Online" : "Away"}
            </span>
          </button>
          <button
            type="button"
            aria-keyshortcuts="?"
            aria-haspopup="dialog"
            onClick={() => app.setHelp(true)}
          >
            Shortcuts <kbd>?</kbd>
          </button>
          <span class="me">{agent.name}</span>
          <button type="button" onClick={() => app.logout()}>
            Log out
          </button>
        </div>
      </header>
      <Reminders state={state} app={app} />
      {inbox ? (
        <div class="layout">
          <Inbox state={state} app={app} />
          <Thread state={state} app={app} />
          {state.thread && <CustomerCard state={state} app={app} />}
        </div>
      ) : (
        <div class="layout queue-layout">
          <CallbackQueue state={state} app={app} />
        </div>
      )}
      <Help open={state.help} close={() => app.setHelp(false)} />
    </div>
  );
}

function App({ app }: { app: ConsoleApp }) {
  const [state, setState] = useState(app.state);
  useEffect(() => {
    setState(app.state);
    return app.subscribe(() => setState(app.state));
  }, [app]);
  useEffect(() => {
    const page = state.view === "callbacks" ? "Callbacks" : "Inbox";
    const base = state.session ? `${page} · omnithread` : "Log in · omnithread";
    document.title = tabTitle(base, state.hidden);
  }, [state.session, state.hidden, state.view]);
  if (!state.session) {
    return <Login notice={state.notice} login={(e, p) => app.login(e, p, route())} />;
  }
  return <Shell state={state} app={app} />;
}

/** Keys typed into a text field are text, not shortcuts. */
function typingInField(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || Boolean(target.closest("input, textarea, select"));
}

const INBOX_KEYS = ["j", "k", "r", "n", "e"];

function shortcuts(app: ConsoleApp) {
  return (event: KeyboardEvent) => {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (!app.state.session || typingInField(event.target)) return;
    if (app.state.help) return; // the dialog has the keyboard
    const key = event.key;
    const inbox = app.state.view === "inbox";
    if (key === "i" || key === "c") {
      app.show(key === "i" ? "inbox" : "callbacks");
    } else if (!inbox && INBOX_KEYS.includes(key)) {
      return; // the inbox's keys
    } else if (key === "j" || key === "k") {
      const id = app.move(key === "j" ? 1 : -1);
      if (id) {
        requestAnimationFrame(() => {
          const link = document.querySelector<HTMLElement>(`a[data-id="${CSS.escape(id)}"]`);
          link?.focus();
          link?.scrollIntoView({ block: "nearest" });
        });
      }
    } else if (key === "r" || key === "n") {
      if (!app.state.thread) return;
      app.compose(key === "r" ? "reply" : "note");
    } else if (key === "e") {
      if (!app.state.thread) return;
      void app.resolve();
    } else if (key === "?") {
      app.setHelp(true);
    } else {
      return;
    }
    event.preventDefault();
  };
}

function start(): void {
  const root = document.getElementById("app");
  if (!root) return;
  let app: ConsoleApp | null = null;
  const api = createApi({
    token: () => app?.state.session?.token ?? null,
    unauthorized: () => app?.unauthorized(),
  });
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  app = createConsole({
    api,
    connect: connectLive,
    liveUrl: `${scheme}//${location.host}/v1/agent/live`,
    session: sessionStorage,
    local: localStorage,
    visible: () => document.visibilityState === "visible",
    navigate(path) {
      if (location.pathname !== path) history.pushState(null, "", path);
    },
  });
  const controller = app;
  controller.restore(route());
  document.addEventListener("keydown", shortcuts(controller));
  document.addEventListener("visibilitychange", () =>
    controller.visibility(document.visibilityState === "visible"),
  );
  addEventListener("popstate", () => controller.go(route(), { push: false }));
  addEventListener("online", () => controller.online());
  setInterval(() => controller.tick(), 30_000);
  render(<App app={controller} />, root);
}

start();
