import { readFileSync } from "node:fs";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { createApp, type OmnithreadApp } from "../server/app.ts";
import { generateKeyRingConfig, loadKeyRing } from "../server/auth/keys.ts";
import { callbackChannel } from "../server/channels/callback/index.ts";
import { loadConfig } from "../server/config.ts";
import { silentLogger } from "../server/log.ts";
import { memoryStore } from "../server/store/memory.ts";

/**
 * Property: whatever arrives, every endpoint answers below 500, and every refusal is the JSON
 * error shape. Runs the app in-process through `app.request()`: no sockets, so it is quick.
 */
let built: OmnithreadApp;
let visitorToken: string;
let agentToken: string;
let conversationId: string;
let callbackId: string;
/** Monday 10:00 in Amsterdam: the demo shop is open, so callbacks can be asked for. */
const NOW = Date.parse("2026-03-02T09:00:00Z");

beforeAll(async () => {
  const config = loadConfig({ PORT: "8787" }, readFileSync("demo/sites.json", "utf8"));
  const keyRing = await loadKeyRing(await generateKeyRingConfig());
  const loose = { limit: 1e9, windowMs: 60_000 };
  built = createApp({
    config,
    store: memoryStore(),
    keyRing,
    log: silentLogger,
    now: () => NOW,
    limits: { startPerIp: loose, messagesPerConversation: loose, loginPerIp: loose },
    channels: [callbackChannel()],
  });
  const started = await built.app.request("/v1/conversations", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ siteId: "demo" }),
  });
  const snapshot = (await started.json()) as { token: string; conversation: { id: string } };
  visitorToken = snapshot.token;
  conversationId = snapshot.conversation.id;
  const asked = await built.app.request("/v1/handoff", {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${visitorToken}` },
    body: JSON.stringify({
      channel: "callback",
      phone: "06 12345678",
      window: "asap",
      timeZone: "Europe/Amsterdam",
    }),
  });
  expect(asked.status).toBe(201);
  callbackId = ((await asked.json()) as { callback: { id: string } }).callback.id;
  agentToken = (
    await built.services.tokens.signAgentToken({
      email: "agent@example.com",
      name: "Alex",
      siteId: "demo",
    })
  ).token;
});

const endpoints: Array<[method: string, path: () => string, auth: () => string | undefined]> = [
  ["POST", () => "/v1/conversations", () => undefined],
  ["POST", () => "/v1/conversations", () => visitorToken],
  ["GET", () => "/v1/conversation?after=0", () => visitorToken],
  ["POST", () => "/v1/messages", () => visitorToken],
  ["POST", () => "/v1/handoff", () => visitorToken],
  ["GET", () => "/v1/events?after=x", () => undefined],
  ["POST", () => "/v1/agent/login", () => undefined],
  ["GET", () => "/v1/agent/conversations?status=open", () => agentToken],
  ["GET", () => `/v1/agent/conversations/${conversationId}`, () => agentToken],
  ["POST", () => `/v1/agent/conversations/${conversationId}/messages`, () => agentToken],
  ["POST", () => `/v1/agent/conversations/${conversationId}/notes`, () => agentToken],
  ["PATCH", () => `/v1/agent/conversations/${conversationId}`, () => agentToken],
  ["GET", () => "/v1/callback-windows", () => visitorToken],
  ["GET", () => "/v1/callbacks", () => visitorToken],
  ["POST", () => `/v1/callbacks/${callbackId}/cancel`, () => visitorToken],
  ["GET", () => "/v1/agent/callbacks?status=active", () => agentToken],
  ["PATCH", () => `/v1/agent/callbacks/${callbackId}`, () => agentToken],
  ["POST", () => `/v1/agent/callbacks/${callbackId}/offer`, () => agentToken],
];

const jsonValue = fc.jsonValue({ maxDepth: 3 });
/** Bodies shaped like real requests with hostile values, plus raw garbage. */
const body = fc.oneof(
  fc
    .record(
      {
        siteId: fc.oneof(fc.constant("demo"), fc.string(), jsonValue),
        clientId: fc.oneof(fc.string({ maxLength: 80 }), jsonValue),
        text: fc.oneof(fc.string({ maxLength: 5000 }), jsonValue),
        channel: fc.oneof(fc.constantFrom("web", "messenger", "email", "callback"), fc.string()),
        status: fc.oneof(
          fc.constantFrom("open", "pending", "resolved", "scheduled", "completed", "missed"),
          jsonValue,
        ),
        assignee: fc.oneof(fc.constant("agent@example.com"), fc.constant(null), jsonValue),
        email: fc.oneof(fc.emailAddress(), jsonValue),
        password: fc.oneof(fc.string(), jsonValue),
        phone: fc.oneof(
          fc.constantFrom("06 12345678", "+385 91 234 5678", "0612"),
          fc.string(),
          jsonValue,
        ),
        country: fc.oneof(fc.constantFrom("NL", "hr", "XX"), jsonValue),
        timeZone: fc.oneof(
          fc.constantFrom("Europe/Amsterdam", "Mars/Base"),
          fc.string(),
          jsonValue,
        ),
        window: fc.oneof(
          fc.constant("asap"),
          fc.record({
            from: fc.oneof(
              fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
              jsonValue,
            ),
            to: fc.oneof(
              fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
              jsonValue,
            ),
          }),
          jsonValue,
        ),
        claim: fc.oneof(fc.boolean(), jsonValue),
        outcome: fc.oneof(fc.string({ maxLength: 1200 }), jsonValue),
        scheduledFor: fc.oneof(
          fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
          fc.string(),
          jsonValue,
        ),
        context: fc.oneof(
          fc.record(
            {
              url: fc.oneof(fc.webUrl(), fc.string()),
              locale: fc.string(),
              attributes: fc.dictionary(fc.string(), jsonValue),
              pages: fc.array(jsonValue),
            },
            { requiredKeys: [] },
          ),
          jsonValue,
        ),
      },
      { requiredKeys: [] },
    )
    .map((o) => JSON.stringify(o)),
  jsonValue.map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 200 }),
);
const token = fc.oneof(fc.constant(undefined), fc.string({ maxLength: 300 }), fc.constant("a.b.c"));

describe("fuzz: no endpoint answers 5xx", () => {
  it("answers every hostile request below 500, with a JSON error when it refuses", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat(endpoints.length - 1),
        body,
        fc.boolean(),
        token,
        fc.constantFrom("application/json", "text/plain", "application/json; charset=utf-8"),
        async (index, raw, useRealToken, randomToken, contentType) => {
          const [method, path, auth] = endpoints[index]!;
          const bearer = useRealToken ? auth() : randomToken;
          const headers: Record<string, string> = { "content-type": contentType };
          if (bearer !== undefined) headers.authorization = `Bearer ${bearer}`;
          const init: RequestInit = { method, headers };
          if (method !== "GET") init.body = raw;
          const response = await built.app.request(path(), init);
          if (response.headers.get("content-type")?.includes("text/event-stream")) {
            await response.body?.cancel();
            return;
          }
          expect(response.status).toBeLessThan(500);
          if (response.status >= 400) {
            const payload = (await response.json()) as { error: { code: string; message: string } };
            expect(typeof payload.error.code).toBe("string");
            expect(typeof payload.error.message).toBe("string");
          }
        },
      ),
      { numRuns: 600 },
    );
  });
});
