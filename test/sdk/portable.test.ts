// The SDK where the platform is not a browser nor Node: an async token store (React Native's
// AsyncStorage), no TextDecoderStream (Hermes), no streaming fetch body (React Native's fetch).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { createClient, hasStoredSession } from "../../sdk/index.ts";
import type { ClientOptions, TokenStorage } from "../../sdk/types.ts";
import type { RunningServer } from "../../server/node.ts";
import { startTestServer } from "../helpers/omnithread.ts";
import { startServerProcess } from "../helpers/server-process.ts";
import { agentReply, loginAgent, texts, until } from "../sdk.contract.ts";

let server: RunningServer;
let agentToken: string;
const made: { close(): void }[] = [];

beforeAll(async () => {
  server = await startTestServer({}, { startPerIp: { limit: 1000, windowMs: 60_000 } });
  agentToken = await loginAgent(server.url);
});
afterAll(async () => {
  for (const chat of made) chat.close();
  await server?.stop();
});

function client(options: Partial<ClientOptions>) {
  const chat = createClient({ server: server.url, siteId: "demo", WebSocket, ...options });
  made.push(chat);
  return chat;
}

/** AsyncStorage's shape: every call answers a Promise, a little later. */
function asyncStorage(items = new Map<string, string>()) {
  const later = () => new Promise((r) => setTimeout(r, 5));
  const log: string[] = [];
  const storage: TokenStorage = {
    async getItem(key) {
      await later();
      return items.get(key) ?? null;
    },
    async setItem(key, value) {
      await later();
      log.push("set");
      items.set(key, value);
    },
    async removeItem(key) {
      await later();
      log.push("remove");
      items.delete(key);
    },
  };
  return { storage, items, log };
}

describe("an async token store (AsyncStorage)", () => {
  it("waits for the stored token, resumes the same thread on a second client, and reset() removes it", async () => {
    const { storage, items, log } = asyncStorage();
    expect(await hasStoredSession("demo", storage)).toBe(false);
    const first = client({ storage });
    const conversation = await first.start();
    await first.send("typed on the phone");
    await until(() => items.has("omnithread:demo"));
    expect(await hasStoredSession("demo", storage)).toBe(true);
    first.close();

    const second = client({ storage });
    expect((await second.start()).id).toBe(conversation.id);
    expect(texts(second)).toEqual(["typed on the phone"]);

    second.reset();
    await until(() => log.at(-1) === "remove");
    expect(items.has("omnithread:demo")).toBe(false);
    expect(log).toEqual(["set", "set", "remove"]);
  });

  it("keeps a reset's remove behind the set still on its way, and survives a store that rejects", async () => {
    const items = new Map<string, string>();
    let slow = true;
    const storage: TokenStorage = {
      getItem: async (key) => items.get(key) ?? null,
      // The first write takes its time; the reset's remove must still land after it.
      setItem: (key, value) =>
        new Promise<void>((r) => setTimeout(() => r(void items.set(key, value)), slow ? 150 : 0)),
      removeItem: async (key) => void items.delete(key),
    };
    const chat = client({ storage });
    await chat.start();
    chat.reset();
    await new Promise((r) => setTimeout(r, 250));
    expect(items.size).toBe(0);
    slow = false;

    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    try {
      const failing: TokenStorage = {
        getItem: async () => {
          throw new Error("read failed");
        },
        setItem: async () => {
          throw new Error("disk full");
        },
        removeItem: () => {
          throw new Error("sync throw");
        },
      };
      const broken = client({ storage: failing });
      await broken.start();
      await until(() => broken.status === "online");
      expect((await broken.send("still works")).seq).toBeGreaterThan(0);
      broken.reset();
      await new Promise((r) => setTimeout(r, 50));
      expect(unhandled).toEqual([]);
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  });
});

describe("SSE without TextDecoderStream (Hermes)", () => {
  it("decodes the stream with TextDecoder and gets an agent reply live", async () => {
    const saved = globalThis.TextDecoderStream;
    // @ts-expect-error: taken away for this test, as on a platform that lacks it
    delete globalThis.TextDecoderStream;
    try {
      expect(typeof globalThis.TextDecoderStream).toBe("undefined");
      const chat = client({ transport: "sse" });
      const conversation = await chat.start();
      await until(() => chat.status === "online");
      await chat.send("no decoder stream here");
      await agentReply(server.url, agentToken, conversation.id, "héllo, ça marche ✓");
      await until(() => texts(chat).includes("héllo, ça marche ✓"));
    } finally {
      globalThis.TextDecoderStream = saved;
    }
  });
});

describe("fetch without a response body (React Native)", () => {
  it("polls GET /v1/conversation: an agent reply arrives, a message goes by POST", async () => {
    const paths: string[] = [];
    const bodiless: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      paths.push(new URL(String(input)).pathname);
      if (!response.headers.get("content-type")?.startsWith("text/event-stream")) return response;
      // What React Native's fetch gives: headers and a status, never a readable stream.
      await response.body?.cancel();
      return new Response(null, { status: response.status, headers: response.headers });
    };
    const chat = client({ transport: "sse", fetch: bodiless });
    const conversation = await chat.start();
    const conversations: string[] = [];
    chat.on("conversation", (c) => conversations.push(c.status));
    await until(() => chat.status === "online");
    const event = await chat.send("sent while polling");
    expect(event).toMatchObject({ text: "sent while polling", author: { role: "visitor" } });
    await agentReply(server.url, agentToken, conversation.id, "reply by polling");
    await until(() => texts(chat).includes("reply by polling"), 10_000);
    expect(texts(chat)).toEqual(["sent while polling", "reply by polling"]);
    expect(paths.filter((p) => p === "/v1/events")).toHaveLength(1);
    expect(paths.filter((p) => p === "/v1/conversation").length).toBeGreaterThanOrEqual(2);
    expect(paths).toContain("/v1/messages");
    // A conversation frame when it changed, not on every poll.
    const polls = () => paths.filter((p) => p === "/v1/conversation").length;
    const [seen, asked] = [conversations.length, polls()];
    await until(() => polls() > asked, 5000);
    expect(conversations.length).toBe(seen);
    chat.close();
    const after = paths.length;
    await new Promise((r) => setTimeout(r, 3500));
    expect(paths.length).toBe(after);
  }, 20_000);

  it("polls from the start where Response has no body at all (no request to the stream)", async () => {
    // React Native's Response (whatwg-fetch) has no `body`, and its fetch never answers an
    // endless stream: the client must not even ask for one. The Response taken away here is
    // this process's, so the server runs in a process of its own.
    const { url, stop } = await startServerProcess();
    const saved = globalThis.Response;
    try {
      const paths: string[] = [];
      const counting: typeof fetch = (input, init) => {
        paths.push(new URL(String(input)).pathname);
        return fetch(input, init);
      };
      globalThis.Response = class {} as unknown as typeof Response;
      const chat = createClient({ server: url, siteId: "demo", transport: "sse", fetch: counting });
      made.push(chat);
      const conversation = await chat.start();
      await until(() => chat.status === "online");
      await agentReply(url, await loginAgent(url), conversation.id, "polled from the start");
      await until(() => texts(chat).includes("polled from the start"), 10_000);
      expect(paths).not.toContain("/v1/events");
      chat.close();
    } finally {
      globalThis.Response = saved;
      stop();
    }
  }, 30_000);
});
