import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OmnithreadError } from "../../sdk/errors.ts";
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

describe("callbacks", () => {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;

  it("offers windows, takes a request in this device's zone, lists and cancels it", async () => {
    const chat = client(server.url);
    await chat.start();
    const offer = await chat.callbackWindows();
    expect(offer.country).toMatch(/^[A-Z]{2}$/);
    expect(offer.windows.length).toBeGreaterThan(0);
    const window = offer.windows[0]!;
    expect(Date.parse(window.to)).toBeGreaterThan(Date.parse(window.from));

    const { callback } = await chat.handoff("callback", {
      phone: "+31 6 12345678",
      window,
      note: "About my order",
    });
    expect(callback).toMatchObject({
      phone: "+31612345678",
      window,
      asap: false,
      timeZone: zone,
      note: "About my order",
      status: "requested",
    });
    await until(() => chat.messages.some((m) => m.name === "callback.requested"));
    const requested = chat.messages.find((m) => m.name === "callback.requested")!;
    expect(requested.data).toMatchObject({ callbackId: callback!.id, window, timeZone: zone });
    expect((await chat.callbacks()).map((c) => [c.id, c.status])).toEqual([
      [callback!.id, "requested"],
    ]);

    const cancelled = await chat.cancelCallback(callback!.id);
    expect(cancelled.status).toBe("cancelled");
    await until(() => chat.messages.some((m) => m.name === "callback.cancelled"));
    const again = await chat.cancelCallback(callback!.id).catch((e: unknown) => e);
    expect(again).toMatchObject({ code: "conflict", status: 409 });
  });

  it("refuses a bad number with the server's message", async () => {
    const chat = client(server.url);
    await chat.start();
    const window = (await chat.callbackWindows()).windows[0]!;
    const error = await chat
      .handoff("callback", { phone: "12", country: "NL", window })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OmnithreadError);
    expect(error).toMatchObject({ code: "bad_request", status: 400 });
    expect((error as Error).message).toContain('"phone"');
  });
});

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
