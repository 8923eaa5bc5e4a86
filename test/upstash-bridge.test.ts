import { Redis } from "@upstash/redis";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { type RedisServerHandle, startRedisServer } from "./helpers/redis-server.ts";
import { startUpstashBridge, type UpstashBridge } from "./helpers/upstash-bridge.ts";

const TOKEN = "test-token";

let server: RedisServerHandle;
let bridge: UpstashBridge;
let redis: Redis;

/** Call the bridge without the client: raw JSON, no base64 unless asked. */
async function raw(path: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${bridge.url}${path}`, {
    method: "POST",
    headers: { Authorization: `Bearer ${TOKEN}`, ...headers },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as unknown };
}

/** Paths and JSON bodies of the client's requests to the bridge. */
function bridgeCalls(spy: { mock: { calls: unknown[][] } }) {
  return spy.mock.calls
    .map(([url, init]) => ({
      path: String(url).slice(bridge.url.length) || "/",
      body: JSON.parse(String((init as RequestInit | undefined)?.body ?? "null")) as unknown,
    }))
    .filter((call) => call.path.startsWith("/"));
}

function nextEvent<T>(register: (resolve: (value: T) => void) => void, ms = 2000): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no event within ${ms} ms`)), ms);
    register((value) => {
      clearTimeout(timer);
      resolve(value);
    });
  });
}

beforeAll(async () => {
  server = await startRedisServer();
  bridge = await startUpstashBridge({ redisUrl: server.url, token: TOKEN });
  redis = new Redis({ url: bridge.url, token: TOKEN, automaticDeserialization: false });
});

afterAll(async () => {
  await bridge?.stop();
  await server?.stop();
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe("upstash bridge with the real @upstash/redis client", () => {
  it("round-trips a string with unicode and commas", async () => {
    const value = 'héllo, wörld, 🌍 — "quoted", 日本語';
    expect(await redis.set("str", value)).toBe("OK");
    expect(await redis.get("str")).toBe(value);
    // A value that is literally "OK" and a non-OK status reply both survive base64.
    await redis.set("ok", "OK");
    expect(await redis.get("ok")).toBe("OK");
    expect(await redis.ping()).toBe("PONG");
    expect(await redis.get("missing")).toBeNull();
  });

  it("returns integers as numbers", async () => {
    const first = await redis.incr("counter");
    expect(first).toBe(1);
    expect(typeof first).toBe("number");
    expect(await redis.incrby("counter", 41)).toBe(42);
  });

  it("auto-pipelines commands issued in the same tick into one /pipeline call", async () => {
    const spy = vi.spyOn(globalThis, "fetch");
    const writes = await Promise.all([
      redis.set("p:a", "1, 2, 3"),
      redis.incr("p:n"),
      redis.rpush("p:list", "x", "y,z"),
      redis.zadd("p:z", { score: 2, member: "b" }, { score: 1, member: "a" }),
    ]);
    expect(writes).toEqual(["OK", 1, 2, 2]);
    expect(bridgeCalls(spy)).toEqual([
      {
        path: "/pipeline",
        body: [
          ["set", "p:a", "1, 2, 3"],
          ["incr", "p:n"],
          ["rpush", "p:list", "x", "y,z"],
          ["zadd", "p:z", 2, "b", 1, "a"],
        ],
      },
    ]);

    // Reads of the same tick share another pipeline; lrange/zrange/hgetall/xrange... are
    // excluded from auto-pipelining and go straight to "/" (so same-tick order is not kept).
    spy.mockClear();
    const reads = await Promise.all([
      redis.get("p:a"),
      redis.get("p:n"),
      redis.lrange("p:list", 0, -1),
      redis.zrange("p:z", 0, -1, { withScores: true }),
    ]);
    expect(reads).toEqual(["1, 2, 3", "1", ["x", "y,z"], ["a", "1", "b", "2"]]);
    const paths = bridgeCalls(spy).map((c) => c.path);
    expect(paths.filter((p) => p === "/pipeline")).toHaveLength(1);
    expect(paths.filter((p) => p === "/")).toHaveLength(2);
  });

  it("runs redis.multi() through /multi-exec", async () => {
    const spy = vi.spyOn(globalThis, "fetch");
    const tx = redis.multi();
    tx.set("tx:k", "10");
    tx.incr("tx:k");
    tx.get("tx:k");
    tx.zadd("tx:z", { score: 1.5, member: "m,1" });
    tx.zrange("tx:z", 0, -1, { withScores: true });
    expect(await tx.exec()).toEqual(["OK", 11, "11", 1, ["m,1", "1.5"]]);
    expect(bridgeCalls(spy).map((c) => c.path)).toEqual(["/multi-exec"]);

    // A runtime error inside EXEC fails only that command.
    const bad = redis.multi();
    bad.set("tx:s", "not a number");
    bad.incr("tx:s");
    await expect(bad.exec()).rejects.toThrow(/Command 2 \[ incr \] failed: ERR value is not an/);
    const { body } = await raw("/multi-exec", [
      ["set", "tx:s", "x"],
      ["incr", "tx:s"],
    ]);
    expect(body).toEqual([
      { result: "OK" },
      { error: "ERR value is not an integer or out of range" },
    ]);
  });

  it("runs a Lua script via createScript: EVALSHA miss falls back to EVAL", async () => {
    const spy = vi.spyOn(globalThis, "fetch");
    const script = redis.createScript<unknown[]>(
      "return { KEYS[1], ARGV[1], 42, { 'nested', 7, ARGV[2], { ARGV[3] } }, redis.status_reply('PONG') }",
    );
    const expected = ["lua:key", "a,b,c", 42, ["nested", 7, "ü, ✓", ["OK"]], "PONG"];
    expect(await script.exec(["lua:key"], ["a,b,c", "ü, ✓", "OK"])).toEqual(expected);
    const commands = bridgeCalls(spy).flatMap((c) =>
      (c.body as string[][]).map((cmd) => String(cmd[0]).toLowerCase()),
    );
    expect(commands).toEqual(["evalsha", "eval"]);

    spy.mockClear();
    expect(await script.exec(["lua:key"], ["a,b,c", "ü, ✓", "OK"])).toEqual(expected);
    expect(bridgeCalls(spy).map((c) => (c.body as string[][])[0]![0])).toEqual(["evalsha"]);

    await expect(redis.evalsha("0".repeat(40), [], [])).rejects.toThrow(/NOSCRIPT/);
  });

  it("delivers a published message to redis.subscribe over SSE", async () => {
    const sub = redis.subscribe<string>("chan");
    const count = await nextEvent<number>((resolve) => sub.on("subscribe", resolve));
    expect(count).toBe(1);

    const payload = JSON.stringify({ text: "hello, world, ünïcode", n: [1, 2, 3] });
    const received = nextEvent<{ channel: string; message: string }>((resolve) =>
      sub.on("message", resolve),
    );
    expect(await redis.publish("chan", payload)).toBe(1);
    expect(await received).toEqual({ channel: "chan", message: payload });

    // Closing the stream closes its Redis connection.
    await sub.unsubscribe();
    await vi.waitFor(
      async () => {
        const { body } = await raw("/", ["pubsub", "numsub", "chan"]);
        expect(body).toEqual({ result: ["chan", 0] });
      },
      { timeout: 2000, interval: 20 },
    );
  });

  it("delivers pattern messages to redis.psubscribe", async () => {
    const sub = redis.psubscribe<string>("room:*");
    await nextEvent<number>((resolve) => sub.on("psubscribe", resolve));
    const received = nextEvent<{ pattern: string; channel: string; message: string }>((resolve) =>
      sub.on("pmessage", resolve),
    );
    await redis.publish("room:42", '{"a":"x,y"}');
    expect(await received).toEqual({
      pattern: "room:*",
      channel: "room:42",
      message: '{"a":"x,y"}',
    });
    await sub.unsubscribe();
  });

  it("refuses a wrong or missing token with 401 and a JSON error", async () => {
    const intruder = new Redis({ url: bridge.url, token: "wrong", retry: false });
    await expect(intruder.get("str")).rejects.toThrow(/Unauthorized/);

    const res = await fetch(`${bridge.url}/`, { method: "POST", body: '["get","str"]' });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: expect.stringMatching(/Unauthorized/) });
  });

  it("speaks the raw protocol: base64 only when asked, numbers stringified, errors verbatim", async () => {
    expect((await raw("/", ["set", "raw:k", 12.5])).body).toEqual({ result: "OK" });
    expect((await raw("/", ["get", "raw:k"])).body).toEqual({ result: "12.5" });
    expect((await raw("/", ["get", "raw:k"], { "Upstash-Encoding": "base64" })).body).toEqual({
      result: Buffer.from("12.5").toString("base64"),
    });
    expect((await raw("/", ["set", "raw:k", "v"], { "Upstash-Encoding": "base64" })).body).toEqual({
      result: "OK",
    });
    const bad = await raw("/", ["nosuchcommand"]);
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ error: expect.stringMatching(/^ERR unknown command/) });
    expect((await raw("/pipeline", [["incr", "raw:n"], ["bogus"], ["get", "raw:n"]])).body).toEqual(
      [{ result: 1 }, { error: expect.stringMatching(/^ERR unknown command/) }, { result: "1" }],
    );
  });
});

describe("redis-server helper", () => {
  it("keeps data across restart() with appendonly", async () => {
    const durable = await startRedisServer({ appendonly: true });
    try {
      const durableBridge = await startUpstashBridge({ redisUrl: durable.url, token: TOKEN });
      try {
        const client = new Redis({ url: durableBridge.url, token: TOKEN });
        await client.set("durable", "still here, after restart");
        await durable.restart();
        expect(await client.get("durable")).toBe("still here, after restart");
      } finally {
        await durableBridge.stop();
      }
    } finally {
      await durable.stop();
    }
  });
});
