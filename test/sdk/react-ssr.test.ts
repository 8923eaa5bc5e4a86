// `useOmnithread` rendered on the server: React's own renderToString in Node, no window.
import { createElement } from "react";
import { renderToString } from "react-dom/server";
import { expect, it } from "vitest";
import { type UseOmnithreadOptions, useOmnithread } from "../../sdk/react.ts";
import type { TokenStorage, WebSocketLike } from "../../sdk/types.ts";

function Chat({ options }: { options: UseOmnithreadOptions }) {
  const { messages, status } = useOmnithread(options);
  return createElement("p", null, `${status}: ${messages.length} messages`);
}

it("renders on the server without a window: nothing stored, no request, no socket", async () => {
  expect(typeof window).toBe("undefined");
  const touched: string[] = [];
  const storage: TokenStorage = {
    getItem(key) {
      touched.push(`get ${key}`);
      return null;
    },
    setItem: (key) => void touched.push(`set ${key}`),
    removeItem: (key) => void touched.push(`remove ${key}`),
  };
  const fetch: typeof globalThis.fetch = async (input) => {
    touched.push(`fetch ${String(input)}`);
    throw new Error("no request during a server render");
  };
  const WebSocket = class {
    constructor(url: string) {
      touched.push(`socket ${url}`);
    }
  } as unknown as WebSocketLike;

  const options = {
    server: "https://chat.example.test",
    siteId: "demo",
    storage,
    fetch,
    WebSocket,
  };
  expect(renderToString(createElement(Chat, { options }))).toBe("<p>idle: 0 messages</p>");
  await new Promise((r) => setTimeout(r, 50));
  expect(touched).toEqual([]);
});
