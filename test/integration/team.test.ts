import { readFileSync } from "node:fs";
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type {
  Conversation,
  ConversationSnapshot,
  ErrorBody,
  ThreadEvent,
} from "../../sdk/protocol.ts";
import { createApp } from "../../server/app.ts";
import { generateKeyRingConfig, loadKeyRing } from "../../server/auth/keys.ts";
import { loadConfig } from "../../server/config.ts";
import { silentLogger } from "../../server/log.ts";
import type { RunningServer } from "../../server/node.ts";
import { memoryStore } from "../../server/store/memory.ts";
import { api, LiveClient, startTestServer } from "../helpers/omnithread.ts";

/** A team of three with skills, on a site with journey greetings and business hours. */
const demo = JSON.parse(readFileSync("demo/sites.json", "utf8")).sites[0];
const hash = demo.agents[0].passwordHash as string;
const SECRET = "team-identity-secret-0123456789abcdef";
const teamSites = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    sites: [
      {
        id: "team",
        name: "Team shop",
        origins: ["https://team.example"],
        identitySecret: SECRET,
        greeting: "Hello!",
        greetings: {
          first: "Welcome, first-timer!",
          returning: "Welcome back!",
          customer: "Hi again, valued customer!",
        },
        agents: [
          { email: "ana@team.example", name: "Ana", passwordHash: hash, skills: ["nl"] },
          { email: "bo@team.example", name: "Bo", passwordHash: hash, skills: ["en", "billing"] },
          { email: "cy@team.example", name: "Cy", passwordHash: hash, skills: ["en"] },
        ],
        ...extra,
      },
    ],
  });

async function login(base: string, email: string): Promise<string> {
  const res = await api<{ token: string }>(base, "/v1/agent/login", {
    body: { email, password: "omnithread-demo" },
  });
  expect(res.status).toBe(200);
  return res.body.token;
}

describe("presence, routing and CSAT on a real server", () => {
  let server: RunningServer;
  const tokens: Record<string, string> = {};
  const consoles: LiveClient[] = [];

  beforeAll(async () => {
    server = await startTestServer(
      { OMNITHREAD_SITES: teamSites() },
      { startPerIp: { limit: 1000, windowMs: 60_000 } },
    );
    for (const who of ["ana", "bo", "cy"])
      tokens[who] = await login(server.url, `${who}@team.example`);
  });
  afterAll(async () => {
    for (const c of consoles) c.close();
    await server?.stop();
  });

  async function connect(who: string): Promise<LiveClient> {
    const socket = await LiveClient.connect(`${server.url}/v1/agent/live`);
    socket.send({ type: "hello", token: tokens[who] });
    await socket.waitFor((f) => f.type === "ready");
    consoles.push(socket);
    return socket;
  }

  const agents = async () =>
    (
      await api<{ agents: { email: string; status: string }[] }>(server.url, "/v1/agent/agents", {
        token: tokens.ana,
      })
    ).body.agents;
  const statusOf = async (email: string) => (await agents()).find((a) => a.email === email)?.status;

  async function visitorSays(
    text: string,
    context: Record<string, unknown>,
  ): Promise<ConversationSnapshot> {
    const started = await api<ConversationSnapshot>(server.url, "/v1/conversations", {
      body: { siteId: "team", context },
    });
    await api(server.url, "/v1/messages", {
      token: started.body.token,
      body: { clientId: `c-${Date.now()}`, text },
    });
    return started.body;
  }

  async function assigneeOf(id: string): Promise<string | undefined> {
    const res = await api<{ conversation: Conversation }>(
      server.url,
      `/v1/agent/conversations/${id}`,
      { token: tokens.ana },
    );
    return res.body.conversation.assignee;
  }

  it("leaves a conversation unassigned when nobody is online, and routes it when an agent comes online", async () => {
    expect(await statusOf("ana@team.example")).toBe("offline");
    const waiting = await visitorSays("anyone there?", { locale: "nl" });
    expect(await assigneeOf(waiting.conversation.id)).toBeUndefined();
    await connect("ana");
    expect(await statusOf("ana@team.example")).toBe("online");
    for (let i = 0; i < 50 && !(await assigneeOf(waiting.conversation.id)); i++)
      await new Promise((r) => setTimeout(r, 50));
    expect(await assigneeOf(waiting.conversation.id)).toBe("ana@team.example");
  });

  it("routes by language and topic skills, round-robin among equals", async () => {
    const watcher = await connect("bo");
    await connect("cy");
    const dutch = await visitorSays("hallo", { locale: "nl-NL" });
    expect(await assigneeOf(dutch.conversation.id)).toBe("ana@team.example");
    const billing = await visitorSays("my invoice", {
      locale: "fr",
      attributes: { topic: "billing" },
    });
    expect(await assigneeOf(billing.conversation.id)).toBe("bo@team.example");
    const english = [
      await visitorSays("hi 1", { locale: "en" }),
      await visitorSays("hi 2", { locale: "en" }),
    ];
    const picked = await Promise.all(english.map((s) => assigneeOf(s.conversation.id)));
    expect(new Set(picked)).toEqual(new Set(["bo@team.example", "cy@team.example"]));
    // Other agents hear about the assignment as a system event.
    await watcher.waitFor((f) => f.type === "event" && f.event.name === "conversation.assigned");
  });

  it("lets an agent go away (no new conversations) and tells the team", async () => {
    const ana = consoles[0]!;
    const bo = consoles[1]!;
    ana.send({ type: "presence", status: "away" });
    await bo.waitFor(
      (f) => f.type === "presence" && f.email === "ana@team.example" && f.status === "away",
    );
    expect(await statusOf("ana@team.example")).toBe("away");
    const dutch = await visitorSays("nog iemand?", { locale: "nl" });
    expect(await assigneeOf(dutch.conversation.id)).not.toBe("ana@team.example");
    ana.send({ type: "presence", status: "online" });
    await bo.waitFor(
      (f) => f.type === "presence" && f.email === "ana@team.example" && f.status === "online",
    );
  });

  it("marks an agent offline when their console closes", async () => {
    const dee = await LiveClient.connect(`${server.url}/v1/agent/live`);
    dee.send({ type: "hello", token: tokens.cy });
    await dee.waitFor((f) => f.type === "ready");
    const cy = consoles[2]!;
    cy.close();
    dee.close();
    for (let i = 0; i < 50 && (await statusOf("cy@team.example")) !== "offline"; i++)
      await new Promise((r) => setTimeout(r, 50));
    expect(await statusOf("cy@team.example")).toBe("offline");
  });

  it("checks the token, then the conversation, then the body, naming the field", async () => {
    const visitor = await visitorSays("a question", { locale: "en" });
    const thread = `/v1/agent/conversations/${visitor.conversation.id}`;
    const call = (path: string, token: string | undefined, body: unknown, method = "POST") =>
      api<ErrorBody>(server.url, path, { method, body, ...(token ? { token } : {}) });
    expect((await call(`${thread}/messages`, undefined, { text: "" })).status).toBe(401);
    expect((await call("/v1/agent/conversations/nope/notes", tokens.ana, {})).status).toBe(404);
    const refusals: [string, unknown, string, string?][] = [
      [`${thread}/messages`, { text: "" }, '"text" must be 1–4000 characters'],
      [
        `${thread}/notes`,
        { text: "hi", clientId: "no spaces" },
        '"clientId" must be 1–64 characters of A–Z, a–z, 0–9 and . _ : -',
      ],
      [thread, {}, 'The body must set "status" and/or "assignee"', "PATCH"],
      [
        thread,
        { assignee: "zed@team.example" },
        '"assignee" must be an agent of this site',
        "PATCH",
      ],
      [
        "/v1/agent/login",
        { email: "ana", password: "x" },
        '"email" must be an email address like ana@example.com',
      ],
    ];
    for (const [path, body, message, method] of refusals) {
      const res = await call(path, tokens.ana, body, method);
      expect(res.status, message).toBe(400);
      expect(res.body.error).toEqual({ code: "bad_request", message });
    }
    const inbox = await api<ErrorBody>(server.url, "/v1/agent/conversations?limit=-1", {
      token: tokens.ana,
    });
    expect(inbox.body.error.message).toBe('"limit" must be a non-negative integer');
  });

  it("asks the visitor to rate after a resolve, and keeps the answer in the thread", async () => {
    const visitor = await visitorSays("thanks for the help", { locale: "en" });
    const thread = `/v1/agent/conversations/${visitor.conversation.id}`;
    const early = await api<ErrorBody>(server.url, "/v1/csat", {
      token: visitor.token,
      body: { rating: 5 },
    });
    expect(early.status).toBe(409);

    expect(
      (
        await api(server.url, thread, {
          method: "PATCH",
          token: tokens.bo,
          body: { status: "resolved" },
        })
      ).status,
    ).toBe(200);
    const seen = await api<{ events: ThreadEvent[] }>(server.url, "/v1/conversation", {
      token: visitor.token,
    });
    expect(seen.body.events.map((e) => e.name ?? e.text)).toContain("csat.requested");

    const bad = await api<ErrorBody>(server.url, "/v1/csat", {
      token: visitor.token,
      body: { rating: 6 },
    });
    expect(bad.status).toBe(400);
    const rated = await api<{ event: ThreadEvent }>(server.url, "/v1/csat", {
      token: visitor.token,
      body: { rating: 4, comment: "Quick <b>and</b> kind" },
    });
    expect(rated.status).toBe(201);
    expect(rated.body.event).toMatchObject({
      name: "csat.submitted",
      data: { rating: 4, comment: "Quick <b>and</b> kind" },
    });
    const again = await api<{ event: ThreadEvent }>(server.url, "/v1/csat", {
      token: visitor.token,
      body: { rating: 1 },
    });
    expect(again.body.event.seq).toBe(rated.body.event.seq);

    const agentView = await api<{ events: ThreadEvent[] }>(server.url, thread, {
      token: tokens.bo,
    });
    expect(
      agentView.body.events.filter((e) => e.name === "csat.submitted").map((e) => e.data?.rating),
    ).toEqual([4]);
  });
});

describe("greetings by journey stage and business hours, with a fixed clock", () => {
  // Monday 2026-03-02 10:00 in Amsterdam (UTC+1).
  let now = Date.parse("2026-03-02T09:00:00Z");
  const hours = { timeZone: "Europe/Amsterdam", days: { mon: ["09:00", "17:00"] } };

  async function app() {
    const config = loadConfig({ PORT: "8787" }, teamSites({ businessHours: hours }));
    return createApp({
      config,
      store: memoryStore({ now: () => now }),
      keyRing: await loadKeyRing(await generateKeyRingConfig()),
      log: silentLogger,
      now: () => now,
    }).app;
  }

  const call = async (
    a: Awaited<ReturnType<typeof app>>,
    path: string,
    body: unknown,
    token?: string,
  ) => {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (token) headers.authorization = `Bearer ${token}`;
    const res = await a.request(path, { method: "POST", headers, body: JSON.stringify(body) });
    return (await res.json()) as ConversationSnapshot;
  };

  it("greets a first-time visitor, a returning one and a known customer differently", async () => {
    const a = await app();
    const first = await call(a, "/v1/conversations", { siteId: "team" });
    expect(first.site).toMatchObject({ stage: "first", greeting: "Welcome, first-timer!" });
    await call(a, "/v1/messages", { clientId: "m1", text: "hi" }, first.token);
    const back = await call(a, "/v1/conversations", { siteId: "team" }, first.token);
    expect(back.site).toMatchObject({ stage: "returning", greeting: "Welcome back!" });

    const proof = await new SignJWT({ sub: "u-1" })
      .setProtectedHeader({ alg: "HS256" })
      .setIssuedAt(Math.floor(now / 1000))
      .sign(new TextEncoder().encode(SECRET));
    const known = await call(a, "/v1/identify", { jwt: proof }, back.token);
    expect(known.site).toMatchObject({ stage: "customer", greeting: "Hi again, valued customer!" });

    const buyer = await call(a, "/v1/conversations", {
      siteId: "team",
      context: { attributes: { orders: 2 } },
    });
    expect(buyer.site.stage).toBe("customer");
  });

  it("says whether the team is open, in the site's time zone", async () => {
    const a = await app();
    now = Date.parse("2026-03-02T09:00:00Z"); // Monday 10:00 Amsterdam
    expect((await call(a, "/v1/conversations", { siteId: "team" })).site).toMatchObject({
      open: true,
      agentsOnline: false,
    });
    now = Date.parse("2026-03-02T16:30:00Z"); // Monday 17:30 Amsterdam
    expect((await call(a, "/v1/conversations", { siteId: "team" })).site.open).toBe(false);
    now = Date.parse("2026-03-01T23:30:00Z"); // Sunday 00:30 Amsterdam, Sunday 23:30 UTC
    expect((await call(a, "/v1/conversations", { siteId: "team" })).site.open).toBe(false);
  });
});
