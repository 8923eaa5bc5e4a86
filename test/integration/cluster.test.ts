import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type {
  ConversationSnapshot,
  EventFrame,
  ServerFrame,
  ThreadEvent,
} from "../../sdk/protocol.ts";
import { CLOSE_SERVICE_RESTART } from "../../sdk/protocol.ts";
import type { RunningServer } from "../../server/node.ts";
import { api, LiveClient, startTestServer } from "../helpers/omnithread.ts";
import { type RedisServerHandle, startRedisServer } from "../helpers/redis-server.ts";
import { startUpstashBridge, type UpstashBridge } from "../helpers/upstash-bridge.ts";

/** Several real instances sharing one real redis-server, as behind a load balancer. */
let redis: RedisServerHandle;
let bridge: UpstashBridge;
let a: RunningServer;
let b: RunningServer;
let edge: RunningServer;
const loose = { startPerIp: { limit: 1000, windowMs: 60_000 } };
// Instances behind one load balancer share one public URL, and so one token issuer.
const PUBLIC_URL = "https://chat.example.test";

beforeAll(async () => {
  redis = await startRedisServer({ appendonly: true });
  bridge = await startUpstashBridge({ redisUrl: redis.url, token: "test-token" });
  const tcp = { PUBLIC_URL, OMNITHREAD_STORE: "redis", REDIS_URL: redis.url };
  [a, b, edge] = await Promise.all([
    startTestServer(tcp, loose),
    startTestServer(tcp, loose),
    startTestServer(
      {
        PUBLIC_URL,
        OMNITHREAD_STORE: "redis",
        UPSTASH_REDIS_REST_URL: bridge.url,
        UPSTASH_REDIS_REST_TOKEN: "test-token",
      },
      loose,
    ),
  ]);
});
afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop(), edge?.stop()]);
  await bridge?.stop();
  await redis?.stop();
});

const eventWith =
  (text: string) =>
  (f: ServerFrame): f is EventFrame =>
    f.type === "event" && f.event.text === text;

async function startOn(server: RunningServer): Promise<ConversationSnapshot> {
  return (
    await api<ConversationSnapshot>(server.url, "/v1/conversations", { body: { siteId: "demo" } })
  ).body;
}

async function visitorOn(server: RunningServer, token: string, after = 0): Promise<LiveClient> {
  const client = await LiveClient.connect(`${server.url}/v1/live`);
  client.send({ type: "hello", token, after });
  await client.waitFor((f) => f.type === "ready");
  return client;
}

async function agentToken(server: RunningServer): Promise<string> {
  const res = await api<{ token: string }>(server.url, "/v1/agent/login", {
    body: { email: "agent@example.com", password: "omnithread-demo" },
  });
  return res.body.token;
}

describe("two instances, one Redis", () => {
  it("delivers an agent reply posted on A to the visitor's socket on B", async () => {
    const { token, conversation } = await startOn(a);
    const visitor = await visitorOn(b, token);
    const reply = await api(a.url, `/v1/agent/conversations/${conversation.id}/messages`, {
      token: await agentToken(a),
      body: { text: "answer from instance A" },
    });
    expect(reply.status).toBe(201);
    const frame = await visitor.waitFor(eventWith("answer from instance A"));
    expect(frame.event.seq).toBe(1);
    visitor.close();
  });

  it("delivers a visitor message sent on B to the agent's socket on A", async () => {
    const agent = await LiveClient.connect(`${a.url}/v1/agent/live`);
    agent.send({ type: "hello", token: await agentToken(a) });
    await agent.waitFor((f) => f.type === "ready");
    const { token } = await startOn(b);
    const visitor = await visitorOn(b, token);
    visitor.send({ type: "send", clientId: "x-1", text: "question via B" });
    await visitor.waitFor((f) => f.type === "ack");
    await agent.waitFor(eventWith("question via B"));
    agent.close();
    visitor.close();
  });

  it("resumes on the other instance from the last seq: nothing lost, nothing twice", async () => {
    const { token } = await startOn(a);
    const first = await visitorOn(a, token);
    const acked: number[] = [];
    for (const i of [1, 2]) {
      first.send({ type: "send", clientId: `r-${i}`, text: `before ${i}` });
      const ack = await first.waitFor((f) => f.type === "ack" && f.clientId === `r-${i}`);
      if (ack.type === "ack") acked.push(ack.event.seq);
    }
    const lastSeq = Math.max(...acked);
    first.close();
    // While the visitor is away, two more arrive through A.
    for (const i of [3, 4]) {
      await api(a.url, "/v1/messages", {
        token,
        body: { clientId: `r-${i}`, text: `while away ${i}` },
      });
    }
    const second = await visitorOn(b, token, lastSeq);
    expect(second.eventSeqs()).toEqual([3, 4]);
    expect(acked).toEqual([1, 2]);
    second.close();
  });

  it("reaches across the Upstash REST path too: a message on the REST instance arrives on a TCP one", async () => {
    const { token, conversation } = await startOn(edge);
    const visitor = await visitorOn(a, token);
    await api(edge.url, `/v1/agent/conversations/${conversation.id}/messages`, {
      token: await agentToken(edge),
      body: { text: "sent through the REST store" },
    });
    await visitor.waitFor(eventWith("sent through the REST store"));
    const onEdge = await visitorOn(edge, token);
    await api(a.url, "/v1/messages", {
      token,
      body: { clientId: "e-1", text: "and back over REST" },
    });
    await onEdge.waitFor(eventWith("and back over REST"));
    visitor.close();
    onEdge.close();
  });
});

describe("failures", () => {
  it("tells sockets to reconnect when an instance stops, and the other instance has every acked message", async () => {
    const extra = await startTestServer(
      { PUBLIC_URL, OMNITHREAD_STORE: "redis", REDIS_URL: redis.url },
      loose,
    );
    const { token } = await startOn(extra);
    const visitor = await visitorOn(extra, token);
    const acked: ThreadEvent[] = [];
    for (const i of [1, 2, 3]) {
      visitor.send({ type: "send", clientId: `k-${i}`, text: `acked ${i}` });
      const ack = await visitor.waitFor((f) => f.type === "ack" && f.clientId === `k-${i}`);
      if (ack.type === "ack") acked.push(ack.event);
    }
    await extra.stop();
    expect((await visitor.waitForClose()).code).toBe(CLOSE_SERVICE_RESTART);
    const resumed = await visitorOn(a, token, 0);
    expect(
      resumed.frames.filter((f) => f.type === "event").map((f) => (f as EventFrame).event),
    ).toEqual(acked);
    resumed.close();
  });

  it("loses no acknowledged message when Redis restarts, and live delivery comes back", async () => {
    const { token } = await startOn(a);
    await api(a.url, "/v1/messages", {
      token,
      body: { clientId: "before-restart", text: "before restart" },
    });
    await redis.restart();
    // Clients retry with the same clientId until the server answers; idempotency absorbs repeats.
    const retry = async (clientId: string, text: string) => {
      for (let attempt = 0; attempt < 50; attempt++) {
        const res = await api<{ event: ThreadEvent }>(a.url, "/v1/messages", {
          token,
          body: { clientId, text },
        });
        if (res.status < 300) return res.body.event;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error("Redis did not come back");
    };
    const after = await retry("after-restart", "after restart");
    expect(after.seq).toBe(2);
    const history = await api<{ events: ThreadEvent[] }>(b.url, "/v1/conversation", { token });
    expect(history.body.events.map((e) => e.text)).toEqual(["before restart", "after restart"]);
    const visitor = await visitorOn(b, token, 2);
    // The pub/sub subscription reconnects on its own; poll until a live message arrives.
    for (let i = 0; i < 50 && !visitor.frames.some(eventWith(`live ${i - 1}`)); i++) {
      await retry(`live-${i}`, `live ${i}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(visitor.frames.some((f) => f.type === "event" && f.event.text.startsWith("live"))).toBe(
      true,
    );
    visitor.close();
  });
});
