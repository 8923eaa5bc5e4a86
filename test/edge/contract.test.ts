import { afterAll, beforeAll } from "vitest";
import { DEMO_SITES_JSON, type EdgeWorker, startEdgeWorker } from "../helpers/edge-worker.ts";
import { type ServerUnderTest, testKeys } from "../helpers/omnithread.ts";
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
