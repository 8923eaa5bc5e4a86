import { request } from "node:http";
import { base64url, SignJWT } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import type { ConversationSnapshot, ErrorBody, ThreadEvent } from "../sdk/protocol.ts";
import { createHandleService } from "../server/auth/handles.ts";
import { generateKeyRingConfig, loadKeyRing } from "../server/auth/keys.ts";
import { createTokenService } from "../server/auth/tokens.ts";
import { refuseThenContinue, unreadBodyRefusals } from "./helpers/keep-alive.ts";
import { api, type ServerUnderTest, testKeys } from "./helpers/omnithread.ts";

/**
 * A POST on a connection of its own. A server that refuses a body without reading it may close
 * the connection after answering (workerd does, without a `Connection: close`): on a pooled
 * connection the next request would fail.
 */
function postAlone(
  base: string,
  path: string,
  token: string,
  body: unknown,
): Promise<{ status: number; body: unknown }> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, base), {
      method: "POST",
      agent: false,
      headers: {
        authorization: `Bearer ${token}`,
        "content-type": "application/json",
        "content-length": Buffer.byteLength(payload),
        connection: "close",
      },
    });
    req.on("response", (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        text += chunk;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
    // The server may close while the body is still going out: the answer has come first.
    req.on("error", (error) => reject(error));
    req.end(payload);
  });
}

/**
 * The visitor API's contract (docs/architecture.md §4): conversations, messages, history, tokens
 * that must be refused, bad input, origins and the per-conversation limit, over real HTTP. The Node
 * entry (`test/integration/visitor-api.test.ts`) and the edge worker (`test/edge/contract.test.ts`)
 * both run it; `target` is read once the caller's `beforeAll` has started the server.
 */
export function describeVisitorApiContract(name: string, target: () => ServerUnderTest): void {
  describe(`visitor API contract: ${name}`, () => {
    const url = () => target().url;
    const start = (body: unknown = { siteId: "demo" }, token?: string) =>
      api<ConversationSnapshot>(url(), "/v1/conversations", { body, ...(token ? { token } : {}) });

    describe("visitor API over real HTTP", () => {
      it("starts a conversation and records where it started", async () => {
        const res = await start({
          siteId: "demo",
          context: {
            url: "https://shop.example/shoes",
            referrer: "https://search.example/",
            locale: "nl-NL",
          },
        });
        expect(res.status).toBe(201);
        expect(res.body.token.split(".")).toHaveLength(3);
        expect(res.body.conversation).toMatchObject({
          siteId: "demo",
          status: "open",
          activeChannel: "web",
          lastSeq: 0,
          context: {
            url: "https://shop.example/shoes",
            referrer: "https://search.example/",
            locale: "nl-NL",
          },
        });
        expect(res.body.events).toEqual([]);
      });

      it("sends a message, and the same clientId again answers the same event", async () => {
        const { body } = await start();
        const first = await api<{ event: ThreadEvent }>(url(), "/v1/messages", {
          token: body.token,
          body: { clientId: "c-1", text: "Where is my order <b>#42</b>?" },
        });
        expect(first.status).toBe(201);
        expect(first.body.event).toMatchObject({
          seq: 1,
          type: "message",
          text: "Where is my order <b>#42</b>?",
        });
        const again = await api<{ event: ThreadEvent }>(url(), "/v1/messages", {
          token: body.token,
          body: { clientId: "c-1", text: "Where is my order <b>#42</b>?" },
        });
        expect(again.status).toBe(200);
        expect(again.body.event).toEqual(first.body.event);
        const history = await api<{ events: ThreadEvent[] }>(url(), "/v1/conversation?after=0", {
          token: body.token,
        });
        expect(history.body.events.map((e) => e.seq)).toEqual([1]);
      });

      it("resumes the same conversation with its token: a reload never forks the thread", async () => {
        const first = await start({ siteId: "demo", context: { url: "https://shop.example/a" } });
        await api(url(), "/v1/messages", {
          token: first.body.token,
          body: { clientId: "r-1", text: "hello" },
        });
        const again = await start(
          { siteId: "demo", context: { url: "https://shop.example/b" } },
          first.body.token,
        );
        expect(again.status).toBe(200);
        expect(again.body.conversation.id).toBe(first.body.conversation.id);
        expect(again.body.events.map((e) => e.text)).toEqual(["hello"]);
        expect(again.body.conversation.context.pages?.map((p) => p.url)).toEqual([
          "https://shop.example/a",
          "https://shop.example/b",
        ]);
        // The renewed token works too.
        const history = await api<{ events: ThreadEvent[] }>(url(), "/v1/conversation?after=0", {
          token: again.body.token,
        });
        expect(history.body.events).toHaveLength(1);
      });

      it("reads only the events after a seq", async () => {
        const { body } = await start();
        for (const i of [1, 2, 3]) {
          await api(url(), "/v1/messages", {
            token: body.token,
            body: { clientId: `a-${i}`, text: `m${i}` },
          });
        }
        const res = await api<{ events: ThreadEvent[] }>(url(), "/v1/conversation?after=2", {
          token: body.token,
        });
        expect(res.body.events.map((e) => e.text)).toEqual(["m3"]);
      });

      it("answers a handoff to a channel that is not configured with a clear error", async () => {
        const { body } = await start();
        const res = await api<ErrorBody>(url(), "/v1/handoff", {
          token: body.token,
          body: { channel: "messenger" },
        });
        expect(res.status).toBe(400);
        expect(res.body.error.code).toBe("channel_not_configured");
        const bad = await api<ErrorBody>(url(), "/v1/handoff", {
          token: body.token,
          body: { channel: "pigeon" },
        });
        expect(bad.body.error.code).toBe("bad_request");
      });
    });

    describe("keys and links that must not cross over", () => {
      it("refuses a visitor clientId that an agent's note already took", async () => {
        const { body } = await start();
        const login = await api<{ token: string }>(url(), "/v1/agent/login", {
          body: { email: "agent@example.com", password: "omnithread-demo" },
        });
        const note = await api(url(), `/v1/agent/conversations/${body.conversation.id}/notes`, {
          token: login.body.token,
          body: { text: "INTERNAL: refund approved", clientId: "note-1" },
        });
        expect(note.status).toBe(201);
        const res = await api<ErrorBody>(url(), "/v1/messages", {
          token: body.token,
          body: { clientId: "note-1", text: "hi" },
        });
        expect(res.status).toBe(409);
        expect(JSON.stringify(res.body)).not.toContain("INTERNAL");
      });

      it("opens resume links only with a web handle, not a reply address's or a Messenger ref's", async () => {
        const { body } = await start();
        const handles = createHandleService(await loadKeyRing(JSON.parse(await testKeys)));
        const email = await handles.issue({
          conversationId: body.conversation.id,
          channel: "email",
          ttlSeconds: 3600,
        });
        expect((await fetch(`${url()}/r/${email}`, { redirect: "manual" })).status).toBe(401);
        const web = await handles.issue({
          conversationId: body.conversation.id,
          channel: "web",
          ttlSeconds: 3600,
        });
        expect((await fetch(`${url()}/r/${web}`, { redirect: "manual" })).status).toBe(302);
      });
    });

    describe("tokens that must be refused", () => {
      let token: string;
      beforeAll(async () => {
        token = (await start()).body.token;
      });
      const history = (t: string) => api<ErrorBody>(url(), "/v1/conversation", { token: t });

      it("refuses a missing token", async () => {
        const res = await api<ErrorBody>(url(), "/v1/conversation");
        expect(res.status).toBe(401);
        expect(res.body.error.code).toBe("unauthorized");
      });

      it("refuses a token whose payload was altered", async () => {
        const [header, payload, signature] = token.split(".");
        const claims = JSON.parse(new TextDecoder().decode(base64url.decode(payload!)));
        claims.cid = "someoneelsesthread00";
        const forged = `${header}.${base64url.encode(JSON.stringify(claims))}.${signature}`;
        expect((await history(forged)).status).toBe(401);
      });

      it("refuses a token with a changed signature", async () => {
        const flipped = token.slice(0, -2) + (token.endsWith("AA") ? "BB" : "AA");
        expect((await history(flipped)).status).toBe(401);
      });

      it("refuses alg: none", async () => {
        const [, payload] = token.split(".");
        const none = `${base64url.encode(JSON.stringify({ alg: "none", typ: "JWT" }))}.${payload}.`;
        const res = await history(none);
        expect(res.status).toBe(401);
        expect(res.body.error.code).toBe("unauthorized");
      });

      it("refuses an HS256 token signed with a guessable secret", async () => {
        const [, payload] = token.split(".");
        const claims = JSON.parse(new TextDecoder().decode(base64url.decode(payload!)));
        const hs = await new SignJWT(claims)
          .setProtectedHeader({ alg: "HS256" })
          .sign(new TextEncoder().encode("secret"));
        expect((await history(hs)).status).toBe(401);
      });

      it("refuses an expired token with token_expired", async () => {
        const ring = await loadKeyRing(JSON.parse(await testKeys));
        const past = createTokenService(ring, {
          issuer: target().publicUrl,
          now: () => Date.now() - 40 * 86400_000,
        });
        const old = await past.signConversationToken({
          contactId: "k",
          conversationId: "c",
          siteId: "demo",
        });
        const res = await history(old.token);
        expect(res.status).toBe(401);
        expect(res.body.error.code).toBe("token_expired");
      });

      it("refuses a token signed by a key this server does not hold", async () => {
        const stranger = createTokenService(await loadKeyRing(await generateKeyRingConfig()), {
          issuer: target().publicUrl,
        });
        const { token: foreign } = await stranger.signConversationToken({
          contactId: "k",
          conversationId: "c",
          siteId: "demo",
        });
        expect((await history(foreign)).status).toBe(401);
      });

      it("refuses another site's token where a site is named", async () => {
        const ring = await loadKeyRing(JSON.parse(await testKeys));
        const tokens = createTokenService(ring, { issuer: target().publicUrl });
        const other = await tokens.signConversationToken({
          contactId: "k",
          conversationId: "c",
          siteId: "other-shop",
        });
        const res = await start({ siteId: "demo" }, other.token);
        expect(res.status).toBe(403);
        expect((res.body as unknown as ErrorBody).error.code).toBe("wrong_site");
      });

      it("refuses an agent token on the visitor API, and a visitor token on the agent API", async () => {
        const login = await api<{ token: string }>(url(), "/v1/agent/login", {
          body: { email: "agent@example.com", password: "omnithread-demo" },
        });
        expect((await history(login.body.token)).status).toBe(401);
        const res = await api<ErrorBody>(url(), "/v1/agent/conversations", { token });
        expect(res.status).toBe(401);
      });
    });

    describe("bad input gets a clear JSON error", () => {
      it("refuses malformed JSON with 400 invalid_json", async () => {
        const res = await api<ErrorBody>(url(), "/v1/conversations", { body: "{not json" });
        expect(res.status).toBe(400);
        expect(res.body.error).toMatchObject({ code: "invalid_json" });
      });

      it("refuses a body that is not UTF-8 with 400 invalid_json, and stores nothing", async () => {
        const { body } = await start();
        const post = (bytes: Uint8Array<ArrayBuffer>) =>
          fetch(`${url()}/v1/messages`, {
            method: "POST",
            headers: { authorization: `Bearer ${body.token}`, "content-type": "application/json" },
            body: bytes,
          });
        // `{"clientId":"u1","text":"ok \xff\xfe end"}`: two bytes no UTF-8 text has.
        const res = await post(
          Buffer.concat([
            Buffer.from('{"clientId":"u1","text":"ok '),
            Buffer.from([0xff, 0xfe]),
            Buffer.from(' end"}'),
          ]),
        );
        expect(res.status).toBe(400);
        const error = ((await res.json()) as ErrorBody).error;
        expect(error).toMatchObject({ code: "invalid_json" });
        expect(error.message).toMatch(/UTF-8/);
        const history = await api<{ events: ThreadEvent[] }>(url(), "/v1/conversation", {
          token: body.token,
        });
        expect(history.body.events).toEqual([]);

        // Text beyond ASCII in well-formed UTF-8 is stored as sent, the same clientId now free.
        const fine = await post(Buffer.from('{"clientId":"u1","text":"ok ÿþ 😀 end"}'));
        expect(fine.status).toBe(201);
        expect(((await fine.json()) as { event: ThreadEvent }).event.text).toBe("ok ÿþ 😀 end");
      });

      it("refusing a body unread (413, 415, 401), never announces keep-alive for the connection", async () => {
        // What the next request on that connection meets differs by runtime: see the Node test
        // (`Connection: close`, a fresh connection) and the edge one (workerd closes by itself).
        const { body } = await start();
        const outcomes = await refuseThenContinue(url(), unreadBodyRefusals(body.token), {
          path: "/v1/conversation",
          headers: { authorization: `Bearer ${body.token}` },
        });
        for (const outcome of outcomes) {
          expect(outcome.status).toBe(Number(outcome.name));
          expect(outcome.connection).not.toBe("keep-alive");
        }
      });

      it("refuses a body that is too large with 413", async () => {
        const { body } = await start();
        const res = await postAlone(url(), "/v1/messages", body.token, {
          clientId: "big",
          text: "x".repeat(64 * 1024),
        });
        expect(res.status).toBe(413);
        expect((res.body as ErrorBody).error.code).toBe("payload_too_large");
      });

      it("refuses a message over the length limit, an empty one, and a bad clientId with 400", async () => {
        const { body } = await start();
        for (const bad of [
          { clientId: "a", text: "x".repeat(4001) },
          { clientId: "a", text: "   " },
          { clientId: "no spaces", text: "hi" },
          { text: "hi" },
        ]) {
          const res = await api<ErrorBody>(url(), "/v1/messages", { token: body.token, body: bad });
          expect(res.status).toBe(400);
          expect(res.body.error.code).toBe("bad_request");
          expect(res.body.error.message.length).toBeGreaterThan(5);
        }
      });

      it("refuses a non-JSON media type with 415", async () => {
        const res = await api<ErrorBody>(url(), "/v1/conversations", {
          body: "siteId=demo",
          headers: { "content-type": "application/x-www-form-urlencoded" },
        });
        expect(res.status).toBe(415);
        expect(res.body.error.code).toBe("unsupported_media_type");
      });

      it("answers an unknown site with 404 and an unknown route with 404, both as JSON", async () => {
        expect((await start({ siteId: "nope" })).status).toBe(404);
        const res = await api<ErrorBody>(url(), "/v1/nothing-here");
        expect(res.status).toBe(404);
        expect(res.body.error.code).toBe("not_found");
      });

      it("refuses bad context and bad after values", async () => {
        const res = await start({ siteId: "demo", context: { url: "javascript:alert(1)" } });
        expect(res.status).toBe(400);
        const { body } = await start();
        const after = await api<ErrorBody>(url(), "/v1/conversation?after=-1", {
          token: body.token,
        });
        expect(after.status).toBe(400);
      });
      it("refuses each channel's bad handoff body with 400 naming the field", async () => {
        const { body } = await start();
        const call = { channel: "callback", phone: "0612345678", timeZone: "Europe/Amsterdam" };
        const cases: [unknown, string][] = [
          [{}, '"channel" is required'],
          [
            { channel: "fax" },
            '"channel" must be one of messenger, email, callback, telegram, whatsapp, sms',
          ],
          [{ channel: "email" }, '"email" is required'],
          [
            { channel: "email", email: "ana@example" },
            '"email" must be an email address like ana@example.com',
          ],
          [
            { channel: "email", email: "ana@example.com", transcript: "yes" },
            '"transcript" must be true or false',
          ],
          [{ ...call }, '"window" is required'],
          [{ ...call, window: "soon" }, '"window" must be { "from", "to" } or "asap"'],
          [
            { ...call, window: { from: "9am", to: "10am" } },
            '"window.from" must be an ISO 8601 time like 2030-01-07T09:00:00Z',
          ],
          [{ ...call, window: "asap", phone: "" }, '"phone" must not be empty'],
          [
            { ...call, window: "asap", note: "n".repeat(1001) },
            '"note" must be at most 1000 characters',
          ],
          [
            { ...call, window: "asap", email: "not an address" },
            '"email" must be an email address like ana@example.com',
          ],
        ];
        for (const [bad, message] of cases) {
          const res = await api<ErrorBody>(url(), "/v1/handoff", { token: body.token, body: bad });
          expect(res.status, JSON.stringify(bad)).toBe(400);
          expect(res.body.error).toEqual({ code: "bad_request", message });
        }
      });

      it("keeps the context limits: http(s) URLs, 50 pages, titles, locale and attributes", async () => {
        const page = { url: "https://shop.example/" };
        const cases: [unknown, string][] = [
          [
            { url: `https://shop.example/${"x".repeat(2048)}` },
            '"context.url" must be a URL of at most 2048 characters',
          ],
          [{ referrer: "mailto:a@b.example" }, '"context.referrer" must be an http(s) URL'],
          [{ locale: "nl_NL" }, '"context.locale" must be a language tag like en or nl-BE'],
          [
            { pages: Array.from({ length: 51 }, () => page) },
            '"context.pages" must be an array of at most 50 pages',
          ],
          [
            { pages: [{ ...page, title: "t".repeat(301) }] },
            '"context.pages[0].title" must be at most 300 characters',
          ],
          [
            { attributes: { "no spaces": 1 } },
            '"context.attributes.no spaces": not a valid name (1–64 characters of A–Z, a–z, 0–9, _ . -)',
          ],
          [
            { attributes: { plan: { tier: 1 } } },
            '"context.attributes.plan" must be a string (at most 500 characters), a number, true or false, or null',
          ],
          [
            { attributes: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, i])) },
            '"context.attributes" must have at most 50 keys',
          ],
        ];
        for (const [context, message] of cases) {
          const res = await start({ siteId: "demo", context });
          expect(res.status, message).toBe(400);
          expect((res.body as unknown as ErrorBody).error).toEqual({
            code: "bad_request",
            message,
          });
        }
        const { body } = await start();
        const patch = await api<ErrorBody>(url(), "/v1/conversation", {
          method: "PATCH",
          token: body.token,
          body: { context: { pages: [{ url: "javascript:alert(1)" }] } },
        });
        expect(patch.status).toBe(400);
        expect(patch.body.error.message).toBe('"context.pages[0].url" must be an http(s) URL');
        // Every limit at its edge is fine (in two bodies: both at once pass the 32 KB cap), and
        // the server stamps the pages' times.
        const pages = await start({
          siteId: "demo",
          context: {
            referrer: "",
            pages: Array.from({ length: 50 }, () => ({
              ...page,
              title: "t".repeat(300),
              at: "1999",
            })),
          },
        });
        expect(pages.status).toBe(201);
        expect(pages.body.conversation.context.pages?.[0]?.at).not.toBe("1999");
        const attributes = Object.fromEntries(
          Array.from({ length: 50 }, (_, i) => [`k${i}`, "v".repeat(500)]),
        );
        expect((await start({ siteId: "demo", context: { attributes } })).status).toBe(201);
      });

      it("refuses a bad rating, resume code and after with 400 naming the field", async () => {
        const { body } = await start();
        const csat = await api<ErrorBody>(url(), "/v1/csat", {
          token: body.token,
          body: { rating: 0 },
        });
        expect(csat.body.error).toEqual({
          code: "bad_request",
          message: '"rating" must be a whole number from 1 to 5',
        });
        const resume = await api<ErrorBody>(url(), "/v1/resume", { body: { code: "NOT-A-CODE" } });
        expect(resume.status).toBe(400);
        expect(resume.body.error.message).toBe(
          '"code" must be the code from the resume link (a–z, 2–7)',
        );
        const after = await api<ErrorBody>(url(), "/v1/conversation?after=x", {
          token: body.token,
        });
        expect(after.body.error).toEqual({
          code: "bad_request",
          message: '"after" must be a non-negative integer',
        });
      });
    });

    describe("origins", () => {
      it("refuses a browser origin the site does not allow, and allows its own", async () => {
        const evil = await api<ErrorBody>(url(), "/v1/conversations", {
          body: { siteId: "demo" },
          headers: { origin: "https://evil.example" },
        });
        expect(evil.status).toBe(403);
        expect(evil.body.error.code).toBe("origin_not_allowed");
        const own = await api(url(), "/v1/conversations", {
          body: { siteId: "demo" },
          headers: { origin: target().ownOrigin },
        });
        expect(own.status).toBe(201);
      });

      it("answers CORS preflights for allowed origins only", async () => {
        const ok = await fetch(`${url()}/v1/messages`, {
          method: "OPTIONS",
          headers: { origin: target().ownOrigin, "access-control-request-method": "POST" },
        });
        expect(ok.headers.get("access-control-allow-origin")).toBe(target().ownOrigin);
        const evil = await fetch(`${url()}/v1/messages`, {
          method: "OPTIONS",
          headers: { origin: "https://evil.example", "access-control-request-method": "POST" },
        });
        expect(evil.headers.get("access-control-allow-origin")).toBeNull();
      });
    });

    describe("rate limits", () => {
      it("allows a burst of 20 messages and then answers 429 with Retry-After", async () => {
        const { body } = await start();
        const statuses: number[] = [];
        for (let i = 0; i < 35; i++) {
          const res = await api(url(), "/v1/messages", {
            token: body.token,
            body: { clientId: `burst-${i}`, text: `m${i}` },
          });
          statuses.push(res.status);
        }
        expect(statuses.slice(0, 20).every((s) => s === 201)).toBe(true);
        const limited = statuses.indexOf(429);
        expect(limited).toBeGreaterThanOrEqual(20);
        const res = await api<ErrorBody>(url(), "/v1/messages", {
          token: body.token,
          body: { clientId: "late", text: "x" },
        });
        expect(res.status).toBe(429);
        expect(res.body.error.code).toBe("rate_limited");
        expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
      });
    });
  });
}
