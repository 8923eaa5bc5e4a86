import { readFileSync } from "node:fs";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type {
  CallbackRequest,
  CallbackWindowsResponse,
  ConversationSnapshot,
  ErrorBody,
  ThreadEvent,
  VisitorCallback,
} from "../../sdk/protocol.ts";
import { createApp } from "../../server/app.ts";
import { generateKeyRingConfig, loadKeyRing } from "../../server/auth/keys.ts";
import { callbackChannel } from "../../server/channels/callback/index.ts";
import { emailChannel } from "../../server/channels/email/index.ts";
import { postmarkTransport } from "../../server/channels/email/transports.ts";
import { loadConfig } from "../../server/config.ts";
import { silentLogger } from "../../server/log.ts";
import type { RunningServer } from "../../server/node.ts";
import { memoryStore } from "../../server/store/memory.ts";
import type { LiveNotice } from "../../server/store/types.ts";
import { type EmailApiPeer, startEmailApiPeer } from "../helpers/email-api-peer.ts";
import { api, LiveClient, startTestServer } from "../helpers/omnithread.ts";

const hash = JSON.parse(readFileSync("demo/sites.json", "utf8")).sites[0].agents[0]
  .passwordHash as string;
const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri"];

/** A shop in Amsterdam that calls back on weekdays 09:00–17:00, with two agents and email. */
const sites = (callback: Record<string, unknown>, hours: boolean) =>
  JSON.stringify({
    sites: [
      {
        id: "call",
        name: "Call shop",
        origins: ["https://call.example"],
        locale: "nl",
        ...(hours
          ? {
              businessHours: {
                timeZone: "Europe/Amsterdam",
                days: Object.fromEntries(WEEKDAYS.map((d) => [d, ["09:00", "17:00"]])),
              },
            }
          : {}),
        agents: [
          { email: "ana@call.example", name: "Ana", passwordHash: hash },
          { email: "bo@call.example", name: "Bo", passwordHash: hash },
        ],
        email: { from: "support@call.example", replyDomain: "reply.call.example" },
        callback,
      },
    ],
  });

type Json = Record<string, unknown>;

describe("callback requests, with a fixed clock", () => {
  // Monday 2 March 2026, 10:00 in Amsterdam (UTC+1).
  let now = Date.parse("2026-03-02T09:00:00Z");
  let peer: EmailApiPeer;
  let app: ReturnType<typeof createApp>;
  const notices: LiveNotice[] = [];
  const agents: Record<string, string> = {};

  async function call<T = Json>(
    path: string,
    init: { method?: string; body?: unknown; token?: string } = {},
  ): Promise<{ status: number; body: T }> {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (init.token) headers.authorization = `Bearer ${init.token}`;
    const res = await app.app.request(path, {
      method: init.method ?? (init.body === undefined ? "GET" : "POST"),
      headers,
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    });
    return { status: res.status, body: (await res.json()) as T };
  }

  async function visitor(locale = "nl-NL"): Promise<ConversationSnapshot> {
    const res = await call<ConversationSnapshot>("/v1/conversations", {
      body: { siteId: "call", context: { locale } },
    });
    expect(res.status).toBe(201);
    await call("/v1/messages", { token: res.body.token, body: { clientId: "m1", text: "Hi" } });
    return res.body;
  }

  const ask = (token: string, body: Json) =>
    call<{ callback: VisitorCallback } & ErrorBody>("/v1/handoff", {
      token,
      body: { channel: "callback", timeZone: "Europe/Amsterdam", ...body },
    });

  const hourWindow = (fromIso: string) => ({
    from: fromIso,
    to: new Date(Date.parse(fromIso) + 3_600_000).toISOString(),
  });

  const events = async (token: string) =>
    (await call<{ events: ThreadEvent[] }>("/v1/conversation?after=0", { token })).body.events;

  const agentEvents = async (conversationId: string) =>
    (
      await call<{ events: ThreadEvent[]; callbacks: CallbackRequest[] }>(
        `/v1/agent/conversations/${conversationId}`,
        { token: agents.ana! },
      )
    ).body;

  const patch = (who: string, id: string, body: Json) =>
    call<{ callback: CallbackRequest } & ErrorBody>(`/v1/agent/callbacks/${id}`, {
      method: "PATCH",
      token: agents[who]!,
      body,
    });

  let keyRing: Awaited<ReturnType<typeof loadKeyRing>>;
  beforeAll(async () => {
    peer = await startEmailApiPeer({ serverToken: "pm-token" });
    keyRing = await loadKeyRing(await generateKeyRingConfig());
  });
  afterAll(async () => {
    await peer?.stop();
  });

  beforeEach(async () => {
    now = Date.parse("2026-03-02T09:00:00Z");
    notices.length = 0;
    const store = memoryStore({ now: () => now });
    await store.subscribe((notice) => notices.push(notice));
    app = createApp({
      config: loadConfig({ PORT: "8787" }, sites({ country: "NL", remindMinutes: 10 }, true)),
      store,
      keyRing,
      log: silentLogger,
      now: () => now,
      channels: [
        callbackChannel(),
        emailChannel({
          transport: postmarkTransport({ serverToken: "pm-token", apiUrl: peer.url }),
        }),
      ],
    });
    // Tokens of the same key ring and clock stay good in every test's app.
    for (const who of ["ana", "bo"]) {
      if (agents[who]) continue;
      const res = await call<{ token: string }>("/v1/agent/login", {
        body: { email: `${who}@call.example`, password: "omnithread-demo" },
      });
      agents[who] = res.body.token;
    }
  });

  it("offers as soon as possible and the next hours, with the visitor's country", async () => {
    const { token, site } = await visitor("hr-HR");
    expect(site.channels).toContain("callback");
    const res = await call<CallbackWindowsResponse>("/v1/callback-windows", { token });
    expect(res.status).toBe(200);
    // The site says NL; its setting wins over the visitor's locale.
    expect(res.body).toMatchObject({ asap: true, country: "NL", timeZone: "Europe/Amsterdam" });
    expect(res.body.windows[0]).toEqual(hourWindow("2026-03-02T10:00:00.000Z"));
    now = Date.parse("2026-03-07T12:00:00Z"); // Saturday: closed
    const weekend = await call<CallbackWindowsResponse>("/v1/callback-windows", { token });
    expect(weekend.body.asap).toBe(false);
    expect(weekend.body.windows[0]?.from).toBe("2026-03-09T08:00:00.000Z");
  });

  it("normalises numbers from the visitor's country and names what is wrong with a bad one", async () => {
    const { token } = await visitor();
    const window = hourWindow("2026-03-02T13:00:00.000Z");
    const refused = async (phone: string, country?: string) => {
      const res = await ask(token, { phone, window, ...(country ? { country } : {}) });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe("bad_request");
      return res.body.error.message;
    };
    expect(await refused("0612")).toBe('"phone" is too short for NL');
    expect(await refused("+385 00 123 4567")).toBe('"phone" is not a valid number for HR');
    expect(await refused("8 912 345", "RU")).toBe('"phone" is too short for RU');
    expect(await refused("123 45 678 901", "PL")).toBe('"phone" is too long for PL');
    expect(await refused("+31 6 12345678", "XX")).toBe('"country" must be a country code like NL');
    expect(await refused("")).toBe('"phone" must not be empty');

    const polish = await ask(token, {
      phone: "512 345 678",
      country: "pl",
      window,
      note: " Faktura ",
    });
    expect(polish.status).toBe(201);
    expect(polish.body.callback).toMatchObject({
      phone: "+48512345678",
      country: "PL",
      status: "requested",
      window,
      asap: false,
      timeZone: "Europe/Amsterdam",
      note: "Faktura",
    });
    expect(polish.body.callback).not.toHaveProperty("claimedBy");
  });

  it("refuses windows outside the hours, in the past or in a bad zone, and a second active request", async () => {
    const { token } = await visitor();
    const phone = "06 12345678";
    const refused = async (body: Json) => {
      const res = await ask(token, { phone, ...body });
      expect(res.status).toBe(400);
      return res.body.error.message;
    };
    expect(await refused({ window: hourWindow("2026-03-02T16:30:00.000Z") })).toBe(
      '"window" is outside callback hours',
    );
    expect(await refused({ window: hourWindow("2026-03-02T07:00:00.000Z") })).toBe(
      '"window" must be in the future',
    );
    expect(await refused({ window: "asap", timeZone: "Mars/Olympus" })).toBe(
      '"timeZone" must be an IANA time zone like Europe/Amsterdam',
    );
    const first = await ask(token, { phone, window: "asap" });
    expect(first.status).toBe(201);
    expect(first.body.callback.asap).toBe(true);
    const second = await ask(token, { phone, window: hourWindow("2026-03-02T13:00:00.000Z") });
    expect(second.status).toBe(409);
    expect(second.body.error.code).toBe("conflict");
  });

  it("shows the request in the thread in the visitor's zone, and confirms it by email", async () => {
    const { token, conversation } = await visitor("nl-NL");
    const sentBefore = peer.sent.length;
    const res = await ask(token, {
      phone: "06 12345678",
      window: hourWindow("2026-03-02T13:00:00.000Z"),
      timeZone: "America/New_York",
      email: "ana@example.com",
    });
    expect(res.status).toBe(201);
    const requested = (await events(token)).find((e) => e.name === "callback.requested");
    expect(requested).toMatchObject({
      type: "system",
      channel: "callback",
      text: "Callback requested for Mon 2 Mar, 08:00–09:00 (America/New_York)",
      data: { callbackId: res.body.callback.id, asap: false, timeZone: "America/New_York" },
    });
    // The conversation knows the number; replies still go where the visitor writes.
    const thread = await agentEvents(conversation.id);
    expect(thread.callbacks.map((c) => c.phone)).toEqual(["+31612345678"]);
    await until(() => peer.sent.length > sentBefore);
    const mail = peer.sent.at(-1)!;
    expect(mail).toMatchObject({
      To: "ana@example.com",
      Subject: "Uw terugbelverzoek bij Call shop",
    });
    expect(String(mail.TextBody)).toContain(
      "We bellen u op +31612345678: maandag 2 maart 2026 om 08:00",
    );
    expect(String(mail.TextBody)).toMatch(/\/r\/[a-z2-7]+/);
  });

  it("lets one agent claim, schedule and complete it; the visitor sees the call, not the notes", async () => {
    const { token, conversation } = await visitor();
    const { callback } = (await ask(token, { phone: "06 12345678", window: "asap" })).body;
    const claimed = await patch("ana", callback.id, { claim: true });
    expect(claimed.status).toBe(200);
    expect(claimed.body.callback.claimedBy).toEqual({ email: "ana@call.example", name: "Ana" });

    // Bo cannot take it over, close it or release it.
    for (const body of [{ claim: true }, { status: "completed" }, { claim: false }]) {
      const res = await patch("bo", callback.id, body);
      expect(res.status).toBe(409);
      expect(res.body.error.message).toBe("Ana has claimed this callback");
    }
    const unscheduled = await patch("ana", callback.id, { status: "scheduled" });
    expect(unscheduled.status).toBe(400);
    expect(unscheduled.body.error.message).toBe(
      '"scheduledFor" is required with "status": "scheduled"',
    );
    const scheduled = await patch("ana", callback.id, {
      status: "scheduled",
      scheduledFor: "2026-03-02T10:30:00+01:00",
    });
    expect(scheduled.body.callback).toMatchObject({
      status: "scheduled",
      scheduledFor: "2026-03-02T09:30:00.000Z",
    });
    const done = await patch("ana", callback.id, {
      status: "completed",
      outcome: "Refund of order 42 agreed by phone",
    });
    expect(done.body.callback).toMatchObject({
      status: "completed",
      outcome: "Refund of order 42 agreed by phone",
    });

    // Final: nothing moves it any more.
    for (const body of [
      { status: "missed" },
      { status: "scheduled", scheduledFor: "2026-03-02T12:00:00Z" },
      { claim: false },
    ]) {
      const res = await patch("ana", callback.id, body);
      expect(res.status).toBe(409);
      expect(res.body.error.message).toBe("The callback is already completed");
    }
    expect((await patch("ana", callback.id, { status: "requested" })).status).toBe(400);

    const agentView = (await agentEvents(conversation.id)).events.map((e) => e.name ?? e.type);
    expect(agentView).toEqual(
      expect.arrayContaining([
        "callback.requested",
        "callback.claimed",
        "callback.scheduled",
        "callback.completed",
        "note",
      ]),
    );
    const note = (await agentEvents(conversation.id)).events.find((e) => e.type === "note");
    expect(note).toMatchObject({
      text: "Call outcome: Refund of order 42 agreed by phone",
      data: { callbackId: callback.id },
    });

    const seen = await events(token);
    expect(seen.map((e) => e.name).filter(Boolean)).toEqual([
      "callback.requested",
      "callback.scheduled",
      "callback.completed",
    ]);
    expect(seen.find((e) => e.name === "callback.completed")?.text).toBe("We called you.");
    expect(JSON.stringify(seen)).not.toContain("Refund");
    expect(JSON.stringify((await call(`/v1/callbacks`, { token })).body)).not.toContain("Refund");
  });

  it("lets the visitor cancel, and the agent offer a new time in the chat", async () => {
    const { token } = await visitor();
    const { callback } = (await ask(token, { phone: "06 12345678", window: "asap" })).body;
    const cancelled = await call<{ callback: VisitorCallback }>(
      `/v1/callbacks/${callback.id}/cancel`,
      {
        method: "POST",
        token,
      },
    );
    expect(cancelled.body.callback.status).toBe("cancelled");
    const again = await call<ErrorBody>(`/v1/callbacks/${callback.id}/cancel`, {
      method: "POST",
      token,
    });
    expect(again.status).toBe(409);
    // Someone else's visitor token cannot cancel it.
    const stranger = await visitor();
    expect(
      (await call(`/v1/callbacks/${callback.id}/cancel`, { method: "POST", token: stranger.token }))
        .status,
    ).toBe(404);

    const offer = await call<{ event: ThreadEvent; deliveredVia: string }>(
      `/v1/agent/callbacks/${callback.id}/offer`,
      { method: "POST", token: agents.ana! },
    );
    expect(offer.status).toBe(201);
    expect(offer.body).toMatchObject({
      deliveredVia: "web",
      event: { author: { role: "agent", name: "Ana" } },
    });
    const seen = (await events(token)).map((e) => e.name ?? e.text);
    expect(seen.slice(-3)).toEqual([
      "callback.cancelled",
      "Sorry we missed you. Pick a new time for a call below.",
      "callback.offered",
    ]);
    // Once: a second click (or a second agent) sends nothing more.
    const twice = await call<ErrorBody>(`/v1/agent/callbacks/${callback.id}/offer`, {
      method: "POST",
      token: agents.bo!,
    });
    expect(twice.status).toBe(409);
    expect(twice.body.error.message).toBe("A new time was offered for this callback already");
    const queue = await call<{ callbacks: CallbackRequest[]; remindMinutes: number }>(
      "/v1/agent/callbacks?status=cancelled",
      { token: agents.bo! },
    );
    expect(queue.body.remindMinutes).toBe(10);
    expect(queue.body.callbacks[0]?.offeredAt).toBe(new Date(now).toISOString());
    // A new request is welcome now.
    expect((await ask(token, { phone: "06 12345678", window: "asap" })).status).toBe(201);
  });

  it("limits requests per conversation, cancelled ones included", async () => {
    const { token } = await visitor();
    for (let i = 0; i < 10; i++) {
      const { callback } = (await ask(token, { phone: "06 12345678", window: "asap" })).body;
      await call(`/v1/callbacks/${callback.id}/cancel`, { method: "POST", token });
    }
    const eleventh = await ask(token, { phone: "06 12345678", window: "asap" });
    expect(eleventh.status).toBe(429);
    expect(eleventh.body.error.code).toBe("rate_limited");
  });

  it("keeps the queue by window start and closed ones by their last change", async () => {
    const ids: string[] = [];
    for (const from of [
      "2026-03-03T13:00:00.000Z",
      "2026-03-02T10:00:00.000Z",
      "2026-03-02T14:00:00.000Z",
    ]) {
      const { token } = await visitor();
      ids.push(
        (await ask(token, { phone: "06 12345678", window: hourWindow(from) })).body.callback.id,
      );
    }
    const queue = await call<{ callbacks: CallbackRequest[] }>("/v1/agent/callbacks", {
      token: agents.bo!,
    });
    expect(queue.body.callbacks.map((c) => c.id)).toEqual([ids[1], ids[2], ids[0]]);
    now += 60_000;
    await patch("bo", ids[2]!, { status: "missed", outcome: "No answer" });
    now += 60_000;
    await patch("bo", ids[0]!, { status: "cancelled" });
    const missed = await call<{ callbacks: CallbackRequest[] }>(
      "/v1/agent/callbacks?status=missed",
      {
        token: agents.bo!,
      },
    );
    expect(missed.body.callbacks.map((c) => c.id)).toEqual([ids[2]]);
    const active = await call<{ callbacks: CallbackRequest[] }>(
      "/v1/agent/callbacks?status=active",
      {
        token: agents.bo!,
      },
    );
    expect(active.body.callbacks.map((c) => c.id)).toEqual([ids[1]]);
    expect(
      (await call<ErrorBody>("/v1/agent/callbacks?status=late", { token: agents.bo! })).status,
    ).toBe(400);
    // Visitors have no way into the agents' queue.
    const { token } = await visitor();
    expect((await call("/v1/agent/callbacks", { token })).status).toBe(401);
  });

  it("reminds the agents once when an unclaimed window starts soon, and marks it missed after", async () => {
    const a = await visitor();
    const b = await visitor();
    const unclaimed = (
      await ask(a.token, { phone: "06 12345678", window: hourWindow("2026-03-02T10:00:00.000Z") })
    ).body.callback;
    const claimed = (
      await ask(b.token, { phone: "06 87654321", window: hourWindow("2026-03-02T10:00:00.000Z") })
    ).body.callback;
    await patch("ana", claimed.id, { claim: true });
    const due = () => notices.filter((n) => n.kind === "callback" && n.due);

    now = Date.parse("2026-03-02T09:45:00Z"); // 15 min before: not yet
    expect(await app.services.callbacks.sweep()).toEqual({ reminded: 0, missed: 0 });
    now = Date.parse("2026-03-02T09:52:00Z"); // 8 min before: remind, once
    expect(await app.services.callbacks.sweep()).toEqual({ reminded: 1, missed: 0 });
    expect(await app.services.callbacks.sweep()).toEqual({ reminded: 0, missed: 0 });
    await until(() => due().length === 1);
    expect(due().map((n) => n.kind === "callback" && n.callback.id)).toEqual([unclaimed.id]);

    now = Date.parse("2026-03-02T11:00:00Z"); // the window is over
    expect(await app.services.callbacks.sweep()).toEqual({ reminded: 0, missed: 1 });
    const queue = await call<{ callbacks: CallbackRequest[] }>("/v1/agent/callbacks", {
      token: agents.ana!,
    });
    expect(queue.body.callbacks.map((c) => [c.id, c.status])).toEqual([[claimed.id, "requested"]]);
    const missed = (await events(a.token)).find((e) => e.name === "callback.missed");
    expect(missed).toMatchObject({
      text: "Sorry: nobody could call you in the window you chose.",
      data: { callbackId: unclaimed.id, by: "system" },
    });
    // The claimed one is the agent's to close, even late.
    expect((await events(b.token)).some((e) => e.name === "callback.missed")).toBe(false);
  });
});

async function until(ok: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("callbacks on a real server's agent socket", () => {
  let server: RunningServer;

  beforeAll(async () => {
    server = await startTestServer(
      { OMNITHREAD_SITES: sites({ remindMinutes: 30 }, false) },
      undefined,
      { callbackSweepMs: 100 },
    );
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("announces new requests, claims and the reminder to every agent console", async () => {
    const login = await api<{ token: string }>(server.url, "/v1/agent/login", {
      body: { email: "ana@call.example", password: "omnithread-demo" },
    });
    const agent = login.body.token;
    const socket = await LiveClient.connect(`${server.url}/v1/agent/live`);
    socket.send({ type: "hello", token: agent });
    await socket.waitFor((f) => f.type === "ready");

    const start = await api<ConversationSnapshot>(server.url, "/v1/conversations", {
      body: { siteId: "call" },
    });
    const from = Date.now() + 20 * 60_000;
    const window = {
      from: new Date(from).toISOString(),
      to: new Date(from + 3_600_000).toISOString(),
    };
    const asked = await api<{ callback: VisitorCallback }>(server.url, "/v1/handoff", {
      token: start.body.token,
      body: { channel: "callback", phone: "+31 6 12345678", window, timeZone: "Europe/Zagreb" },
    });
    expect(asked.status).toBe(201);
    const id = asked.body.callback.id;

    const isFrame =
      (due: boolean) => (f: { type: string; callback?: { id: string }; due?: boolean }) =>
        f.type === "callback" && f.callback?.id === id && Boolean(f.due) === due;
    const news = await socket.waitFor(isFrame(false));
    expect(news).toMatchObject({
      callback: { phone: "+31612345678", status: "requested", timeZone: "Europe/Zagreb" },
    });
    // Starts within 30 min, nobody claimed it: the sweep reminds the team.
    await socket.waitFor(isFrame(true));
    await new Promise((r) => setTimeout(r, 300));
    expect(socket.frames.filter(isFrame(true))).toHaveLength(1);

    const claim = await api(server.url, `/v1/agent/callbacks/${id}`, {
      method: "PATCH",
      token: agent,
      body: { claim: true },
    });
    expect(claim.status).toBe(200);
    await socket.waitFor(
      (f) => f.type === "callback" && f.callback.id === id && f.callback.claimedBy?.name === "Ana",
    );
    await socket.waitFor((f) => f.type === "event" && f.event.name === "callback.claimed");
    socket.close();
  });
});
