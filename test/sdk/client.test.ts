import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ThreadEvent } from "../../sdk/protocol.ts";
import type { RunningServer } from "../../server/node.ts";
import { api, nodeUnderTest, startTestServer } from "../helpers/omnithread.ts";
import { type RedisServerHandle, startRedisServer } from "../helpers/redis-server.ts";
import { agentReply, clientPool, describeSdkContract, loginAgent, until } from "../sdk.contract.ts";

const loose = { startPerIp: { limit: 1000, windowMs: 60_000 } };

let server: RunningServer;
const pool = clientPool();
const client = (url: string) => pool.client(url);

beforeAll(async () => {
  server = await startTestServer({}, loose);
});
afterAll(async () => {
  pool.closeAll();
  await server?.stop();
});

describeSdkContract("Node", () => nodeUnderTest(server));

describe("reliability across a server restart", () => {
  let redis: RedisServerHandle;
  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(() => redis?.stop());

  it("delivers the offline outbox exactly once, and resumes without gaps or duplicates", async () => {
    const env = {
      OMNITHREAD_STORE: "redis",
      REDIS_URL: redis.url,
      PUBLIC_URL: "https://chat.example.test",
    };
    let first = await startTestServer(env, loose);
    const port = new URL(first.url).port;
    const url = first.url;
    const chat = client(url);
    const conversation = await chat.start();
    await chat.send("before the restart");

    await first.stop();
    await until(() => chat.status === "offline");
    const queued = [chat.send("typed while offline 1"), chat.send("typed while offline 2")];
    expect(chat.pending.map((p) => p.text)).toEqual([
      "typed while offline 1",
      "typed while offline 2",
    ]);

    // Meanwhile another instance takes an agent reply the client has not seen.
    const other = await startTestServer(env, loose);
    await agentReply(
      other.url,
      await loginAgent(other.url),
      conversation.id,
      "reply while you were away",
    );

    first = await startTestServer({ ...env, PORT: port }, loose);
    const sent = await Promise.all(queued);
    expect(sent.map((e) => e.text)).toEqual(["typed while offline 1", "typed while offline 2"]);
    await until(() => chat.messages.length === 4);
    expect(chat.pending).toEqual([]);

    const log = await api<{ events: ThreadEvent[] }>(
      other.url,
      `/v1/agent/conversations/${conversation.id}`,
      {
        token: await loginAgent(other.url),
      },
    );
    const messageTexts = log.body.events.filter((e) => e.type === "message").map((e) => e.text);
    expect(messageTexts.sort()).toEqual(
      [
        "before the restart",
        "reply while you were away",
        "typed while offline 1",
        "typed while offline 2",
      ].sort(),
    );
    expect(chat.messages.map((m) => m.seq)).toEqual([1, 2, 3, 4]);
    chat.close();
    await Promise.all([first.stop(), other.stop()]);
  });
});
