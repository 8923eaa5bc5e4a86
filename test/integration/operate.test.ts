/**
 * What an operator relies on: `/ready` for the load balancer (on a real Redis that stops
 * answering), one JSON log line per request with its id and nothing secret in any line, the
 * demo simulators kept to this machine, and a SIGTERM that lets in-flight work finish.
 */
import { connect } from "node:net";
import { createClient } from "@redis/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ServerFrame } from "../../sdk/protocol.ts";
import { hubSignature } from "../../server/channels/meta/signature.ts";
import { type RunningServer, startServer } from "../../server/node.ts";
import { api, LiveClient, testKeys } from "../helpers/omnithread.ts";
import { type RedisServerHandle, startRedisServer } from "../helpers/redis-server.ts";

const loose = {
  startPerIp: { limit: 1000, windowMs: 60_000 },
  requestsPerIp: { limit: 10_000, windowMs: 60_000 },
};

async function started(env: Record<string, string>, lines?: string[]) {
  return startServer({
    env: { PORT: "0", HOST: "127.0.0.1", OMNITHREAD_KEYS: await testKeys, ...env },
    limits: loose,
    ...(lines ? { logWrite: (line: string) => lines.push(line) } : { log: silentQuiet }),
  });
}
const silentQuiet = { debug() {}, info() {}, warn() {}, error() {} };

async function startConversation(url: string) {
  const res = await api<{ token: string; conversation: { id: string } }>(url, "/v1/conversations", {
    body: { siteId: "demo" },
  });
  expect(res.status).toBe(201);
  return res.body;
}

/** Keeps Redis busy for ARGV[1] seconds: every other client waits meanwhile. */
const BUSY_SCRIPT = `
local function now() local t = redis.call("TIME") return t[1] + t[2] / 1e6 end
local done = now() + tonumber(ARGV[1])
while now() < done do end
return 1`;

describe("GET /ready on Redis", () => {
  let redis: RedisServerHandle;
  let server: RunningServer;
  beforeAll(async () => {
    redis = await startRedisServer();
    server = await started({ OMNITHREAD_STORE: "redis", REDIS_URL: redis.url });
  });
  afterAll(async () => {
    await server?.stop();
    await redis?.stop();
  });

  it("is ready while Redis answers, 503 store_unavailable while it does not, ready again after", async () => {
    expect(await api(server.url, "/ready")).toMatchObject({
      status: 200,
      body: { status: "ready" },
    });

    // Redis busy for 2.5 s (a long script): it accepts commands but answers none meanwhile.
    const admin = createClient({ url: redis.url });
    admin.on("error", () => {});
    await admin.connect();
    const sleeping = admin.eval(BUSY_SCRIPT, { arguments: ["2.5"] });
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    const busy = await api<{ error: { code: string } }>(server.url, "/ready");
    expect(busy.status).toBe(503);
    expect(busy.body.error.code).toBe("store_unavailable");
    expect(Date.now() - started).toBeLessThan(2000);
    // Liveness is not readiness: the process itself is fine.
    expect((await api(server.url, "/health")).status).toBe(200);
    await sleeping;
    await admin.quit();
    expect((await api(server.url, "/ready")).status).toBe(200);

    // Redis gone altogether.
    await redis.stop();
    const gone = await api<{ error: { code: string } }>(server.url, "/ready");
    expect(gone.status).toBe(503);
    expect(gone.body.error.code).toBe("store_unavailable");
  });
});

describe("logs", () => {
  const lines: string[] = [];
  const MESSENGER = {
    MESSENGER_PAGE_ID: "page-1",
    MESSENGER_APP_SECRET: "app-secret-for-the-log-test",
    MESSENGER_VERIFY_TOKEN: "verify",
    MESSENGER_PAGE_ACCESS_TOKEN: "page-access-token",
  };
  let server: RunningServer;
  beforeAll(async () => {
    server = await started(MESSENGER, lines);
  });
  afterAll(() => server?.stop());
  const parsed = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);

  it("writes one access line per request with its id, status and duration, never a secret", async () => {
    const { token } = await startConversation(server.url);
    const text = "my card number is 4111 1111 1111 1111";
    const sent = await api(server.url, "/v1/messages", {
      token,
      body: { clientId: "c1", text },
      headers: { "x-request-id": "lb-trace-42" },
    });
    expect(sent.status).toBe(201);
    expect(sent.headers.get("x-request-id")).toBe("lb-trace-42");
    const login = await api<{ token: string }>(server.url, "/v1/agent/login", {
      body: { email: "agent@example.com", password: "omnithread-demo" },
    });
    expect(login.status).toBe(200);
    await api(server.url, "/v1/conversation?after=0", { token });

    const access = parsed().filter((line) => line.message === "request");
    const message = access.find((line) => line.path === "/v1/messages");
    expect(message).toMatchObject({
      level: "info",
      requestId: "lb-trace-42",
      method: "POST",
      status: 201,
    });
    expect(typeof message?.ms).toBe("number");
    // The query string is left out (it is nobody's business how far a client had read).
    expect(access.find((line) => line.method === "GET")?.path).toBe("/v1/conversation");
    const ids = access.map((line) => line.requestId);
    expect(new Set(ids).size).toBe(ids.length);

    const all = lines.join("\n");
    for (const secret of [token, login.body.token, "omnithread-demo", text, "4111"]) {
      expect(all).not.toContain(secret);
    }
  });

  it("names the request on a line logged while serving it", async () => {
    // A correctly signed webhook for a page no site has: the channel logs a warning.
    const body = JSON.stringify({
      object: "page",
      entry: [{ id: "someone-elses-page", time: 1, messaging: [] }],
    });
    const res = await fetch(`${server.url}/webhooks/messenger`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-hub-signature-256": await hubSignature(
          MESSENGER.MESSENGER_APP_SECRET,
          new TextEncoder().encode(body),
        ),
        "x-request-id": "meta-delivery-7",
      },
      body,
    });
    expect(res.status).toBe(200);
    const warning = parsed().find(
      (line) => line.message === "messenger webhook for a page no site has",
    );
    expect(warning).toMatchObject({ level: "warn", requestId: "meta-delivery-7" });
  });

  it("keeps to LOG_LEVEL, and refuses a level it does not know", async () => {
    const quiet: string[] = [];
    const warnOnly = await started({ LOG_LEVEL: "warn" }, quiet);
    await api(warnOnly.url, "/health");
    await warnOnly.stop();
    expect(quiet.filter((line) => line.includes('"level":"info"'))).toEqual([]);
    await expect(started({ LOG_LEVEL: "verbose" }, [])).rejects.toThrow(
      /LOG_LEVEL must be one of debug, info, warn, error, got "verbose"/,
    );
  });
});

describe("the demo simulators", () => {
  const relayed = { headers: { "x-forwarded-for": "203.0.113.9" } };
  const demo = async (env: Record<string, string>) =>
    startServer({
      env: { PORT: "0", HOST: "127.0.0.1", OMNITHREAD_KEYS: await testKeys, ...env },
      log: silentQuiet,
      mailSimulator: true,
      messengerSimulator: true,
      telegramSimulator: true,
      whatsappSimulator: true,
      smsSimulator: true,
    });

  it("answer this machine only: a request relayed for someone else is refused", async () => {
    const server = await demo({});
    try {
      expect((await api(server.url, "/demo/mail/inbox")).status).toBe(200);
      for (const path of [
        "/demo/mail/inbox",
        "/demo/messenger/inbox",
        "/demo/graph/v19.0/me",
        "/demo/telegram",
        "/demo/telegram-api/bot1:x/getMe",
        "/demo/whatsapp/inbox?person=31612345678&after=0",
        "/demo/sms/inbox?person=31612345678&after=0",
        "/demo/twilio/2010-04-01/Accounts/x/Messages.json",
      ]) {
        const res = await api(server.url, path, relayed);
        expect(res.status, path).toBe(403);
        expect(res.body).toMatchObject({ error: { code: "forbidden" } });
      }
      // The shop itself is public.
      expect((await fetch(`${server.url}/`, relayed)).status).toBe(200);
    } finally {
      await server.stop();
    }
  });

  it("answer anyone once OMNITHREAD_DEMO_PUBLIC=1 says so", async () => {
    const server = await demo({ OMNITHREAD_DEMO_PUBLIC: "1" });
    try {
      expect((await api(server.url, "/demo/mail/inbox", relayed)).status).toBe(200);
    } finally {
      await server.stop();
    }
  });
});

describe("stopping (SIGTERM)", () => {
  it("finishes a request in flight, tells live clients to reconnect elsewhere, and takes no new one", async () => {
    const server = await started({});
    const { token } = await startConversation(server.url);
    const socket = await LiveClient.connect(`${server.url}/v1/live`);
    socket.send({ type: "hello", token, after: 0 });
    await socket.waitFor((frame: ServerFrame) => frame.type === "ready");
    const sse = await fetch(`${server.url}/v1/events?after=0`, {
      headers: { authorization: `Bearer ${token}`, accept: "text/event-stream" },
    });
    expect(sse.status).toBe(200);

    // A message whose body is still arriving when the stop begins.
    let finishBody: () => void = () => {};
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"clientId":"late-1",'));
        finishBody = () => {
          controller.enqueue(new TextEncoder().encode('"text":"sent as the server stopped"}'));
          controller.close();
        };
      },
    });
    const inFlight = fetch(`${server.url}/v1/messages`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body,
      duplex: "half",
    } as RequestInit);
    await new Promise((r) => setTimeout(r, 150));

    const stopping = server.stop();
    await until(() => socket.closed !== null);
    expect(socket.closed?.code).toBe(1012);
    // The SSE stream ends, so that client reconnects too.
    const rest = await sse.text();
    expect(typeof rest).toBe("string");
    // New connections are refused while the last request finishes.
    const connecting = await new Promise<string>((done) => {
      const probe = connect(server.port, "127.0.0.1");
      probe.once("connect", () => {
        probe.destroy();
        done("accepted");
      });
      probe.once("error", (error: NodeJS.ErrnoException) => done(error.code ?? "error"));
    });
    expect(connecting).toBe("ECONNREFUSED");

    finishBody();
    const answered = await inFlight;
    expect(answered.status).toBe(201);
    const { event } = (await answered.json()) as { event: { seq: number; text: string } };
    expect(event.text).toBe("sent as the server stopped");
    await stopping;
  });
});

async function until(ok: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 10));
  }
}
