import { createClient } from "@redis/client";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Conversation } from "../sdk/protocol.ts";
import { AppError } from "../server/errors.ts";
import { tcpDriver } from "../server/node/redis-tcp.ts";
import { redisStore } from "../server/store/redis.ts";
import type { RedisDriver } from "../server/store/redis-driver.ts";
import { upstashDriver } from "../server/store/redis-upstash.ts";
import type { LiveNotice, NewEvent } from "../server/store/types.ts";
import { type RedisServerHandle, startRedisServer } from "./helpers/redis-server.ts";
import { startUpstashBridge, type UpstashBridge } from "./helpers/upstash-bridge.ts";
import { describeStoreContract } from "./store.contract.ts";

const TOKEN = "test-token";

interface Servers {
  redis: RedisServerHandle;
  bridge: UpstashBridge;
}

// One redis-server for the file; the Upstash bridge sits in front of the same one.
let started: Promise<Servers> | undefined;
function servers(): Promise<Servers> {
  started ??= startRedisServer().then(async (redis) => ({
    redis,
    bridge: await startUpstashBridge({ redisUrl: redis.url, token: TOKEN }),
  }));
  return started;
}

beforeAll(async () => {
  await servers();
});
afterAll(async () => {
  if (!started) return;
  const { redis, bridge } = await started;
  await bridge.stop();
  await redis.stop();
});

const transports: { name: string; rest: boolean; driver: () => Promise<RedisDriver> }[] = [
  {
    name: "redis over TCP",
    rest: false,
    driver: async () => tcpDriver((await servers()).redis.url),
  },
  {
    name: "redis over the Upstash REST protocol",
    rest: true,
    driver: async () => upstashDriver({ url: (await servers()).bridge.url, token: TOKEN }),
  },
];

for (const transport of transports) {
  describeStoreContract(transport.name, async () => redisStore(await transport.driver()));
}

let counter = 0;
const uniqueId = (prefix: string) =>
  `${prefix}${Date.now().toString(36)}${(counter++).toString(36)}`;

function newConversation(): Conversation {
  const at = new Date().toISOString();
  return {
    id: uniqueId("c"),
    siteId: uniqueId("site"),
    contactId: uniqueId("k"),
    status: "open",
    activeChannel: "web",
    channels: [{ channel: "web", linkedAt: at }],
    context: { pages: [], attributes: {}, labels: [] },
    createdAt: at,
    updatedAt: at,
    lastSeq: 0,
  };
}

function message(text: string, clientId?: string): NewEvent {
  return {
    type: "message",
    channel: "web",
    author: { role: "visitor" },
    text,
    createdAt: new Date().toISOString(),
    ...(clientId ? { clientId } : {}),
  };
}

/** Wraps a driver to count the scripts it runs: one run is one request to Redis. */
function counting(driver: RedisDriver): { driver: RedisDriver; runs: () => number } {
  let runs = 0;
  return {
    driver: {
      ...driver,
      run(script, keys, args) {
        runs += 1;
        return driver.run(script, keys, args);
      },
    },
    runs: () => runs,
  };
}

/** Calls of a command Redis itself has executed, from INFO commandstats. */
async function commandCalls(url: string, command: string): Promise<number> {
  const client = createClient({ url, RESP: 2 });
  await client.connect();
  try {
    const info = String(await client.sendCommand(["INFO", "commandstats"]));
    return Number(new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(info)?.[1] ?? 0);
  } finally {
    client.destroy();
  }
}

for (const transport of transports) {
  describe(`redis store specifics: ${transport.name}`, () => {
    it("appends a message in exactly one round trip", async () => {
      const { driver, runs } = counting(await transport.driver());
      const store = redisStore(driver);
      const { redis } = await servers();
      try {
        const conversation = newConversation();
        await store.createConversation(conversation);
        await store.append(conversation.id, message("warm-up")); // loads the script once
        const fetches = vi.spyOn(globalThis, "fetch");
        const before = { runs: runs(), evalsha: await commandCalls(redis.url, "evalsha") };
        try {
          const { event } = await store.append(conversation.id, message("one trip", "k-1"));
          expect(event.seq).toBe(2);
          expect(runs() - before.runs).toBe(1);
          expect((await commandCalls(redis.url, "evalsha")) - before.evalsha).toBe(1);
          // Over REST, one script is one HTTP request (TCP does not use fetch at all).
          expect(fetches.mock.calls.length).toBe(transport.rest ? 1 : 0);
        } finally {
          fetches.mockRestore();
        }
      } finally {
        await store.close();
      }
    });

    it("keeps conversations, logs and idempotency keys for the next store instance", async () => {
      const first = redisStore(await transport.driver());
      const conversation = newConversation();
      let events: Awaited<ReturnType<typeof first.eventsAfter>>;
      try {
        await first.createConversation(conversation);
        await first.append(conversation.id, message("hello", "k-1"));
        await first.append(conversation.id, message("again"));
        events = await first.eventsAfter(conversation.id, 0);
      } finally {
        await first.close();
      }

      const second = redisStore(await transport.driver());
      try {
        expect(await second.getConversation(conversation.id)).toEqual({
          ...conversation,
          lastSeq: 2,
          lastText: "again",
          updatedAt: events[1]?.createdAt,
        });
        expect(await second.eventsAfter(conversation.id, 0)).toEqual(events);
        const retry = await second.append(conversation.id, message("hello", "k-1"));
        expect(retry).toEqual({ event: events[0], duplicate: true });
        expect((await second.append(conversation.id, message("third"))).event.seq).toBe(3);
        expect((await second.listConversations(conversation.siteId)).map((c) => c.id)).toEqual([
          conversation.id,
        ]);
        await expect(second.append("missing", message("x"))).rejects.toBeInstanceOf(AppError);
      } finally {
        await second.close();
      }
    });

    it("keeps two prefixes apart, live channel included", async () => {
      const a = redisStore(await transport.driver(), { prefix: "a" });
      const b = redisStore(await transport.driver(), { prefix: "b" });
      const heardByB: LiveNotice[] = [];
      const stop = await b.subscribe((notice) => heardByB.push(notice));
      try {
        const conversation = newConversation();
        await a.createConversation(conversation);
        await a.append(conversation.id, message("only in a"));
        expect(await b.getConversation(conversation.id)).toBeNull();
        expect(await b.eventsAfter(conversation.id, 0)).toEqual([]);
        await new Promise((r) => setTimeout(r, 100));
        expect(heardByB).toEqual([]);
      } finally {
        stop();
        await a.close();
        await b.close();
      }
    });
  });
}

describe("redis over TCP across a Redis restart", () => {
  let redis: RedisServerHandle;
  beforeAll(async () => {
    redis = await startRedisServer({ appendonly: true });
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it("reconnects, reloads its scripts and resubscribes", async () => {
    const store = redisStore(tcpDriver(redis.url));
    const heard: number[] = [];
    const conversation = newConversation();
    const stop = await store.subscribe((notice) => {
      if (notice.kind === "event" && notice.conversationId === conversation.id)
        heard.push(notice.event.seq);
    });
    try {
      await store.createConversation(conversation);
      await new Promise((r) => setTimeout(r, 100));
      await store.append(conversation.id, message("before"));
      await redis.restart(); // also empties Redis's script cache: the next call gets NOSCRIPT
      const { event } = await store.append(conversation.id, message("after"));
      expect(event.seq).toBe(2);
      // Notices published while the subscriber reconnects are lost (clients catch up by seq):
      // keep writing until one is heard again.
      const deadline = Date.now() + 5000;
      while (!heard.some((seq) => seq >= 2)) {
        if (Date.now() > deadline) throw new Error("no live notice after the restart");
        await store.append(conversation.id, message("ping"));
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(heard[0]).toBe(1);
    } finally {
      stop();
      await store.close();
    }
  });
});
