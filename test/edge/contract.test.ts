import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ConversationSnapshot } from "../../sdk/protocol.ts";
import { DEMO_SITES_JSON, type EdgeWorker, startEdgeWorker } from "../helpers/edge-worker.ts";
import { acceptedMessage, refuseThenContinue, unreadBodyRefusals } from "../helpers/keep-alive.ts";
import { api, type ServerUnderTest, testKeys } from "../helpers/omnithread.ts";
import { type RedisServerHandle, startRedisServer } from "../helpers/redis-server.ts";
import { startUpstashBridge, type UpstashBridge } from "../helpers/upstash-bridge.ts";
import { describeLiveContract } from "../live.contract.ts";
import { describeSdkContract } from "../sdk.contract.ts";
import { describeVisitorApiContract } from "../visitor-api.contract.ts";

/**
 * The contracts the Node server passes, run against the bundled worker under workerd, its store
 * on a real redis-server through the Upstash REST protocol.
 */
const PUBLIC_URL = "https://chat.example.test";
let redis: RedisServerHandle;
let bridge: UpstashBridge;
let edge: EdgeWorker;

beforeAll(async () => {
  redis = await startRedisServer();
  bridge = await startUpstashBridge({ redisUrl: redis.url, token: "edge-token" });
  edge = await startEdgeWorker(
    {
      PUBLIC_URL,
      UPSTASH_REDIS_REST_URL: bridge.url,
      UPSTASH_REDIS_REST_TOKEN: "edge-token",
      OMNITHREAD_SITES: DEMO_SITES_JSON,
      OMNITHREAD_KEYS: await testKeys,
    },
    { startPerIp: { limit: 1000, windowMs: 60_000 } },
  );
});
afterAll(async () => {
  await edge?.stop();
  await bridge?.stop();
  await redis?.stop();
});

const worker = (): ServerUnderTest => ({
  url: edge.url,
  publicUrl: PUBLIC_URL,
  ownOrigin: PUBLIC_URL,
});

describeVisitorApiContract("edge worker", worker);
describeLiveContract("edge worker", worker);
describeSdkContract("edge worker", worker);

/**
 * workerd owns the connection: it drops the `Connection: close` the app sets, and closes a
 * connection whose request body the worker left unread about a millisecond after the answer. A
 * keep-alive client that is quick enough sends its next request down the dropped connection and
 * loses it (ECONNRESET or UND_ERR_SOCKET: about one run in eight here, on the 413); otherwise it
 * reconnects. This pins both halves, so a workerd that changes either shows up here.
 */
describe("workerd: a refused body on a keep-alive connection", () => {
  it("closes the connection itself, without a Connection header; a body that was read keeps it", async () => {
    const { body } = await api<ConversationSnapshot>(edge.url, "/v1/conversations", {
      body: { siteId: "demo" },
    });
    const accepted = acceptedMessage(body.token);
    const [kept, ...refused] = await refuseThenContinue(
      edge.url,
      [accepted, ...unreadBodyRefusals(body.token)],
      { path: "/v1/conversation", headers: { authorization: `Bearer ${body.token}` } },
    );
    expect(kept).toEqual({ name: "201", status: 201, connection: null, next: 200, connections: 1 });
    for (const outcome of refused) {
      expect(outcome.status).toBe(Number(outcome.name));
      expect(outcome.connection).toBeNull();
      if (outcome.next === 200) expect(outcome.connections).toBe(2);
      else expect(outcome.next).toMatch(/^(ECONNRESET|UND_ERR_SOCKET)$/);
    }
  });
});
