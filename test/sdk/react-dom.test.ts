// @vitest-environment happy-dom
// `useOmnithread` live in React 19 (react-dom/client, StrictMode) on happy-dom's DOM, against a
// real server: the page's origin is the server's own, as for a site that serves its chat page.
import { createElement, StrictMode } from "react";
import { createRoot, type Root } from "react-dom/client";
import { afterAll, beforeAll, expect, it } from "vitest";
import WebSocket from "ws";
import { memoryStorage } from "../../sdk/index.ts";
import { type OmnithreadState, type UseOmnithreadOptions, useOmnithread } from "../../sdk/react.ts";
import { api } from "../helpers/omnithread.ts";
import { startServerProcess } from "../helpers/server-process.ts";
import { agentReply, loginAgent, until } from "../sdk.contract.ts";

// The server runs in a process of its own: this one's globals are happy-dom's.
let server: { url: string; stop(): void };
beforeAll(async () => {
  server = await startServerProcess();
  (window as unknown as { happyDOM: { setURL(url: string): void } }).happyDOM.setURL(
    `${server.url}/shop`,
  );
});
afterAll(() => server?.stop());

function Chat(props: { options: UseOmnithreadOptions; show(state: OmnithreadState): void }) {
  const state = useOmnithread(props.options);
  props.show(state);
  return createElement(
    "ul",
    null,
    state.messages.map((m) => createElement("li", { key: m.seq }, `${m.author.role}: ${m.text}`)),
  );
}

it("starts once under StrictMode, shows sent messages and an agent reply, closes on unmount", async () => {
  const started: string[] = [];
  const sockets: WebSocket[] = [];
  const counting: typeof fetch = (input, init) => {
    const url = new URL(String(input));
    if (url.pathname === "/v1/conversations") started.push(url.pathname);
    return fetch(input, init);
  };
  class CountingSocket extends WebSocket {
    constructor(url: string) {
      super(url);
      sockets.push(this);
    }
  }
  const storage = memoryStorage();
  let state: OmnithreadState | undefined;
  const options = {
    server: server.url,
    siteId: "demo",
    storage,
    fetch: counting,
    WebSocket: CountingSocket,
  };
  const show = (s: OmnithreadState) => {
    state = s;
  };

  const container = document.createElement("div");
  document.body.append(container);
  const root: Root = createRoot(container);
  root.render(createElement(StrictMode, null, createElement(Chat, { options, show })));
  await until(() => state?.status === "online");
  expect(started).toHaveLength(1);
  expect(sockets.filter((s) => s.readyState <= 1)).toHaveLength(1);

  const sent = await state!.send("Hello from React");
  expect(sent.seq).toBeGreaterThan(0);
  await until(() => container.textContent === "visitor: Hello from React");

  const conversationId = state!.client.conversation!.id;
  await agentReply(server.url, await loginAgent(server.url), conversationId, "Hi, React!");
  await until(() => state!.messages.some((m) => m.text === "Hi, React!"));
  await until(() => container.querySelectorAll("li").length === 2);
  expect(container.textContent).toBe("visitor: Hello from Reactagent: Hi, React!");

  // What the hook shows is what the server holds.
  const agent = await api<{ events: { text: string }[] }>(
    server.url,
    `/v1/agent/conversations/${conversationId}`,
    { token: await loginAgent(server.url) },
  );
  expect(agent.body.events.map((e) => e.text)).toEqual(["Hello from React", "Hi, React!"]);

  root.unmount();
  await until(() => state!.client.status === "idle");
  await until(() => sockets.every((s) => s.readyState === 3));
  expect(started).toHaveLength(1);
});
