import { readFileSync } from "node:fs";
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { type ChatClient, createClient, memoryStorage, OmnithreadError } from "../sdk/index.ts";
import type { Contact, ThreadEvent } from "../sdk/protocol.ts";
import type { TokenStorage, WebSocketLike } from "../sdk/types.ts";
import { startNoWebSocketProxy } from "./helpers/no-websocket-proxy.ts";
import { api, type ServerUnderTest } from "./helpers/omnithread.ts";

// `ws` fits the SDK's structural WebSocketLike as it is, without a cast.
const WS: WebSocketLike = WebSocket;
const identitySecret = JSON.parse(readFileSync("demo/sites.json", "utf8")).sites[0]
  .identitySecret as string;

export async function loginAgent(url: string): Promise<string> {
  const res = await api<{ token: string }>(url, "/v1/agent/login", {
    body: { email: "agent@example.com", password: "omnithread-demo" },
  });
  return res.body.token;
}

export async function until(predicate: () => boolean, ms = 8000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}

export const texts = (chat: ChatClient) => chat.messages.map((m) => m.text);

export async function agentReply(
  url: string,
  token: string,
  conversationId: string,
  text: string,
): Promise<void> {
  const res = await api(url, `/v1/agent/conversations/${conversationId}/messages`, {
    token,
    body: { text },
  });
  expect(res.status).toBe(201);
}

type ClientExtras = Partial<Parameters<typeof createClient>[0]>;

/**
 * Clients of the demo site (in-memory storage, `ws` for WebSocket) made for one suite, closed
 * together after it.
 *
 * @example
 * const pool = clientPool();
 * const chat = pool.client(server.url);
 * afterAll(() => pool.closeAll());
 */
export function clientPool() {
  const made: ChatClient[] = [];
  return {
    client(url: string, extra: ClientExtras = {}): ChatClient {
      const chat = createClient({
        server: url,
        siteId: "demo",
        WebSocket: WS,
        storage: memoryStorage(),
        ...extra,
      });
      made.push(chat);
      return chat;
    },
    closeAll(): void {
      for (const chat of made) chat.close();
    },
  };
}

/**
 * The SDK's contract (docs/architecture.md §4, "SDK"): from Node, against a real server: start,
 * send, live replies over WebSocket and over the SSE + POST fallback, reload, reset, ratings,
 * resume links, verified identity. The Node entry (`test/sdk/client.test.ts`) and the edge worker
 * (`test/edge/contract.test.ts`) both run it; `target` is read once the caller's `beforeAll` has
 * started the server.
 */
export function describeSdkContract(name: string, target: () => ServerUnderTest): void {
  describe(`SDK contract: ${name}`, () => {
    const url = () => target().url;
    let agentToken: string;
    const pool = clientPool();
    const client = (at = url(), extra: ClientExtras = {}) => pool.client(at, extra);
    beforeAll(async () => {
      agentToken = await loginAgent(url());
    });
    afterAll(() => pool.closeAll());

    describe("SDK against the real server", () => {
      it("does nothing until start(): no storage write, no request", async () => {
        let writes = 0;
        let requests = 0;
        const inner = memoryStorage();
        const storage: TokenStorage = {
          ...inner,
          setItem(k, v) {
            writes++;
            inner.setItem(k, v);
          },
        };
        const counting: typeof fetch = (input, init) => {
          requests++;
          return fetch(input, init);
        };
        const chat = client(url(), { storage, fetch: counting });
        await new Promise((r) => setTimeout(r, 100));
        expect([writes, requests, chat.status]).toEqual([0, 0, "idle"]);
        await chat.start();
        expect(writes).toBe(1);
        expect(requests).toBeGreaterThan(0);
      });

      it("sends and resolves with the acknowledged event and its seq; an agent reply arrives live", async () => {
        const chat = client();
        const conversation = await chat.start();
        await until(() => chat.status === "online");
        const event = await chat.send("Hello <b>there</b>");
        expect(event).toMatchObject({
          seq: 1,
          text: "Hello <b>there</b>",
          author: { role: "visitor" },
        });
        const seen: ThreadEvent[] = [];
        chat.on("message", (e) => seen.push(e));
        await agentReply(url(), agentToken, conversation.id, "Hi, Alex here");
        await until(() => texts(chat).includes("Hi, Alex here"));
        expect(chat.messages.map((m) => m.seq)).toEqual([1, 2]);
        expect(seen.map((e) => e.text)).toEqual(["Hi, Alex here"]);
      });

      it("stays closed when close() comes while start() is still waiting for the server", async () => {
        const chat = client();
        const statuses: string[] = [];
        chat.on("status", (s) => statuses.push(s));
        const started = chat.start();
        chat.close();
        await started;
        await new Promise((r) => setTimeout(r, 200));
        expect(chat.status).toBe("idle");
        expect(statuses).not.toContain("online");
      });

      it("connects again when started after close(), in the same thread", async () => {
        const chat = client();
        const first = await chat.start();
        await until(() => chat.status === "online");
        chat.close();
        expect((await chat.start()).id).toBe(first.id);
        await until(() => chat.status === "online");
        expect((await chat.send("after close")).seq).toBe(1);
      });

      it("drops unsent messages on reset(): they never reach the next thread", async () => {
        const chat = client();
        const first = await chat.start();
        chat.close();
        const typed = chat.send("my card number is …");
        chat.reset();
        await expect(typed).rejects.toMatchObject({ code: "conflict" });
        const next = await chat.start();
        expect(next.id).not.toBe(first.id);
        await new Promise((r) => setTimeout(r, 200));
        expect(chat.messages).toEqual([]);
      });

      it("resumes the same thread from stored token on a new client (a reload)", async () => {
        const storage = memoryStorage();
        const first = client(url(), { storage });
        const conversation = await first.start();
        await first.send("before reload");
        first.close();
        const second = client(url(), { storage });
        expect((await second.start()).id).toBe(conversation.id);
        expect(texts(second)).toEqual(["before reload"]);
      });

      it("surfaces a handoff to an unconfigured channel as a typed error", async () => {
        const chat = client();
        await chat.start();
        const error = await chat.handoff("messenger").catch((e: unknown) => e);
        expect(error).toBeInstanceOf(OmnithreadError);
        expect(error).toMatchObject({ code: "channel_not_configured", status: 400 });
      });

      it("rates the conversation after the agent resolves it", async () => {
        const chat = client();
        const conversation = await chat.start();
        await chat.send("thanks!");
        const resolve = await api(url(), `/v1/agent/conversations/${conversation.id}`, {
          method: "PATCH",
          token: agentToken,
          body: { status: "resolved" },
        });
        expect(resolve.status).toBe(200);
        await until(() => chat.messages.some((m) => m.name === "csat.requested"));
        const rated = await chat.rate(5, "great");
        expect(rated).toMatchObject({
          name: "csat.submitted",
          data: { rating: 5, comment: "great" },
        });
        expect(chat.messages.at(-1)?.name).toBe("csat.submitted");
      });

      it("records attributes in the conversation's context", async () => {
        const chat = client();
        await chat.start();
        const updated = await chat.setAttributes({ plan: "pro", orders: 3 });
        expect(updated.context.attributes).toEqual({ plan: "pro", orders: 3 });
      });

      it("falls back to SSE + POST when WebSockets are refused, and still gets live replies", async () => {
        const proxy = await startNoWebSocketProxy(url());
        try {
          const chat = client(proxy.url);
          const conversation = await chat.start();
          await until(() => chat.status === "online", 15_000);
          const event = await chat.send("through the fallback");
          expect(event.seq).toBe(1);
          await agentReply(url(), agentToken, conversation.id, "reply over SSE");
          await until(() => texts(chat).includes("reply over SSE"));
          expect(texts(chat)).toEqual(["through the fallback", "reply over SSE"]);
          chat.close();
        } finally {
          await proxy.stop();
        }
      });
    });

    describe("resume link", () => {
      it("opens the whole thread in a fresh client with a one-time code", async () => {
        const first = client();
        const conversation = await first.start();
        await first.send("started on my laptop");
        const link = await api<{ url: string }>(
          url(),
          `/v1/agent/conversations/${conversation.id}/resume-link`,
          {
            token: agentToken,
            body: {},
          },
        );
        expect(link.body.url).toMatch(/\/r\/[a-z2-7]{44}$/);
        // The link names PUBLIC_URL; the server under test may listen elsewhere (behind a proxy).
        const redirect = await fetch(new URL(new URL(link.body.url).pathname, url()), {
          redirect: "manual",
        });
        expect(redirect.status).toBe(302);
        const location = redirect.headers.get("location")!;
        const code = new URL(location).hash.match(/^#omnithread-resume=([a-z2-7]+)$/)?.[1];
        expect(code).toBeTruthy();

        const phone = client();
        const resumed = await phone.resume(code!);
        expect(resumed.id).toBe(conversation.id);
        expect(texts(phone)).toEqual(["started on my laptop"]);
        await phone.send("continuing on my phone");
        await until(() => texts(first).includes("continuing on my phone"));

        const again = await client()
          .resume(code!)
          .catch((e: unknown) => e);
        expect(again).toMatchObject({ code: "unauthorized" });
      });

      it("refuses a forged or altered link", async () => {
        const res = await fetch(`${url()}/r/${"a".repeat(44)}`, { redirect: "manual" });
        expect(res.status).toBe(401);
        const html = await fetch(`${url()}/r/short`, {
          redirect: "manual",
          headers: { accept: "text/html" },
        });
        expect(await html.text()).toContain("not valid");
      });
    });

    describe("identify", () => {
      const proof = (claims: Record<string, unknown>, secret = identitySecret) =>
        new SignJWT(claims)
          .setProtectedHeader({ alg: "HS256" })
          .setIssuedAt()
          .sign(new TextEncoder().encode(secret));

      it("makes one contact of the same user in two browsers, and shows the earlier thread", async () => {
        const userId = `user-${Date.now()}`;
        const laptop = client();
        const first = await laptop.start();
        await laptop.identify(await proof({ sub: userId, email: "Ana@Example.com", name: "Ana" }));
        await laptop.send("my order is late");

        const phone = client();
        await phone.start();
        const joined = await phone.identify(await proof({ sub: userId }));
        expect(joined.id).toBe(first.id);
        expect(texts(phone)).toEqual(["my order is late"]);

        const thread = await api<{ contact: Contact }>(
          url(),
          `/v1/agent/conversations/${first.id}`,
          { token: agentToken },
        );
        expect(thread.body.contact).toMatchObject({ name: "Ana", email: "ana@example.com" });
        expect(thread.body.contact.identities).toEqual(
          expect.arrayContaining([{ kind: "user", value: userId, verified: true }]),
        );
      });

      it.each([
        ["empty", async () => ""],
        ["forged", async () => proof({ sub: "victim" }, "not-the-secret-0123456789abcdef")],
        [
          "expired",
          async () =>
            new SignJWT({ sub: "victim" })
              .setProtectedHeader({ alg: "HS256" })
              .setIssuedAt(Math.floor(Date.now() / 1000) - 7200)
              .setExpirationTime(Math.floor(Date.now() / 1000) - 3600)
              .sign(new TextEncoder().encode(identitySecret)),
        ],
        [
          "unsigned",
          async () =>
            `${btoa(JSON.stringify({ alg: "none" }))}.${btoa(JSON.stringify({ sub: "victim", iat: 1 }))}.`,
        ],
      ])("refuses an %s proof with 401 and changes nothing", async (_name, make) => {
        const victim = client();
        const theirs = await victim.start();
        await victim.identify(await proof({ sub: "victim" }));
        await victim.send("private to the victim");

        const attacker = client();
        const own = await attacker.start();
        const error = await attacker.identify(await make()).catch((e: unknown) => e);
        expect(error).toMatchObject({ status: 401 });
        expect(attacker.conversation?.id).toBe(own.id);
        expect(texts(attacker)).not.toContain("private to the victim");
        expect(theirs.id).not.toBe(own.id);
      });
    });
  });
}
