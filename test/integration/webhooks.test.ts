/**
 * Outgoing webhooks and the event feed, end to end: two real servers on one real Redis send a
 * site's feed to a real receiver on loopback that goes down, answers 503, hangs, comes back and
 * finally answers 410. Every request is checked with the `standardwebhooks` verifier.
 */
import { once } from "node:events";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateApiKey } from "../../server/auth/api-keys.ts";
import { newWebhookSecret } from "../../server/auth/webhook-signature.ts";
import { silentLogger } from "../../server/log.ts";
import { type RunningServer, startServer } from "../../server/node.ts";
import { api, testKeys } from "../helpers/omnithread.ts";
import { type RedisServerHandle, startRedisServer } from "../helpers/redis-server.ts";
import { type ServerProcess, startServerProcess } from "../helpers/server-process.ts";
import { type ReceivedWebhook, startWebhookReceiver } from "../helpers/webhook-receiver.ts";

const SECRET = newWebhookSecret();
const RETRY_DELAYS_MS = [100, 100, 100, 100, 100, 100, 100, 100];
const crm = await generateApiKey("crm");
const ORIGIN = "https://shop.example";
const TIMEOUT_MS = 300;

let redis: RedisServerHandle;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
let servers: RunningServer[] = [];

async function until<T>(
  what: string,
  check: () => T | Promise<T>,
  ms = 15_000,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** One shop whose feed goes to `url`, read by the CRM's key. */
const sitesFile = (url: string) =>
  JSON.stringify({
    sites: [
      {
        id: "shop",
        origins: [ORIGIN],
        apiKeys: [crm.entry],
        webhooks: [{ url, secret: SECRET }],
      },
    ],
  });

/** Until each conversation's first arrivals are `expected`'s items, or at least as many. */
function allArrived(
  received: ReceivedWebhook[],
  expected: Map<string, string[]>,
): Map<string, string[]> | null {
  const all = firstArrivals(received);
  const done = [...expected].every(([id, items]) => (all.get(id)?.length ?? 0) >= items.length);
  return done ? all : null;
}

beforeAll(async () => {
  redis = await startRedisServer();
  receiver = await startWebhookReceiver(SECRET);
  const sites = sitesFile(receiver.url);
  const keys = await testKeys;
  const start = () =>
    startServer({
      env: {
        PORT: "0",
        HOST: "127.0.0.1",
        OMNITHREAD_KEYS: keys,
        // One issuer for both instances: a token of one is good on the other.
        PUBLIC_URL: "http://omnithread.test",
        OMNITHREAD_STORE: "redis",
        REDIS_URL: redis.url,
        OMNITHREAD_SITES: sites,
      },
      log: silentLogger,
      webhookIntervalMs: 40,
      webhooks: { timeoutMs: TIMEOUT_MS, retryDelaysMs: RETRY_DELAYS_MS },
    });
  servers = await Promise.all([start(), start()]);
  // A first round registers the endpoint, which then hears everything that follows.
  await new Promise((r) => setTimeout(r, 300));
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  await receiver?.stop().catch(() => undefined);
  await redis?.stop();
});

const asCrm = <T>(path: string, base = servers[0]!.url) => api<T>(base, path, { token: crm.key });

interface Delivery {
  webhookId: string;
  attempt: number;
  outcome: string;
  status: number | null;
  error?: string;
  cursor: string;
}

async function deliveries(base?: string): Promise<Delivery[]> {
  const all: Delivery[] = [];
  let after = "";
  for (;;) {
    const page = await asCrm<{ deliveries: Delivery[]; next: string }>(
      `/v1/agent/webhooks/deliveries?limit=100${after ? `&after=${after}` : ""}`,
      base,
    );
    all.push(...page.body.deliveries);
    if (page.body.deliveries.length < 100) return all;
    after = page.body.next;
  }
}

/** A visitor's conversation with `count` messages, each sent through the servers in turn. */
async function chat(count: number, label: string, urls = servers.map((s) => s.url)) {
  const started = await api<{ conversation: { id: string }; token: string }>(
    urls[0]!,
    "/v1/conversations",
    { body: { siteId: "shop" }, headers: { origin: ORIGIN } },
  );
  expect(started.status, JSON.stringify(started.body)).toBe(201);
  for (let i = 1; i <= count; i++) {
    const sent = await api(urls[i % urls.length]!, "/v1/messages", {
      token: started.body.token,
      body: { clientId: `${label}-${i}`, text: `${label} ${i}` },
      headers: { origin: ORIGIN },
    });
    expect(sent.status, JSON.stringify(sent.body)).toBe(201);
  }
  return started.body.conversation.id;
}

/** Each conversation's webhooks in first-arrival order, one per webhook-id. */
function firstArrivals(list: ReceivedWebhook[]) {
  const seen = new Set<string>();
  const byConversation = new Map<string, string[]>();
  for (const w of list) {
    if (seen.has(w.id)) continue;
    seen.add(w.id);
    const id = w.body.data.conversationId ?? "";
    byConversation.set(id, [
      ...(byConversation.get(id) ?? []),
      w.body.type === "message.created" ? `message ${w.body.data.event?.text}` : w.body.type,
    ]);
  }
  return byConversation;
}

describe("webhooks to a CRM that goes down, fails, hangs and comes back", () => {
  it("delivers everything at least once, in order per conversation, with one id per item", async () => {
    await receiver.down();
    const first = await chat(3, "a");
    await until("an attempt at the closed port", async () =>
      (await deliveries()).some(
        (d) => d.outcome === "retrying" && d.error?.startsWith("could not"),
      ),
    );

    await receiver.up();
    receiver.mode = "503";
    const second = await chat(2, "b");
    await until("a 503 answer", async () => (await deliveries()).some((d) => d.status === 503));

    receiver.mode = "hang";
    await until("a request left hanging", () => receiver.state.hanging > 0);
    // A receiver that does not answer holds up no visitor: the message is taken at once.
    const third = await chat(1, "c");
    await until("a timed-out attempt", async () =>
      (await deliveries()).some((d) => d.error === `no answer within ${TIMEOUT_MS} ms`),
    );

    receiver.mode = "ok";
    const expected = new Map([
      [first, ["conversation.created", "message a 1", "message a 2", "message a 3"]],
      [second, ["conversation.created", "message b 1", "message b 2"]],
      [third, ["conversation.created", "message c 1"]],
    ]);
    const arrived = await until("every item accepted", () => {
      const accepted = new Set(receiver.state.accepted.map((w) => w.id));
      const every = receiver.state.received.every((w) => accepted.has(w.id));
      return every ? allArrived(receiver.state.received, expected) : null;
    });
    for (const [id, items] of expected) expect(arrived.get(id)).toEqual(items);
    expect(receiver.state.refused).toBe(0);

    // Every failed attempt was of an item later delivered under the same webhook-id.
    const log = await deliveries();
    const delivered = new Set(log.filter((d) => d.outcome === "delivered").map((d) => d.webhookId));
    for (const d of log) expect(delivered.has(d.webhookId)).toBe(true);
    expect(log.some((d) => d.outcome === "retrying" && d.attempt >= 2)).toBe(true);
    // Two servers, one queue: no attempt of an item was made twice.
    const attempts = log.map((d) => `${d.webhookId}#${d.attempt}`);
    expect(new Set(attempts).size).toBe(attempts.length);
  });

  it("serves the same items on the feed, in one order, page by page", async () => {
    const pages: Array<{ cursor: string; type: string }[]> = [];
    let after: string | undefined;
    for (;;) {
      const page = await asCrm<{ events: { cursor: string; type: string }[]; next: string }>(
        `/v1/agent/events?limit=4${after ? `&after=${after}` : ""}`,
      );
      expect(page.status).toBe(200);
      pages.push(page.body.events);
      if (page.body.events.length === 0) {
        expect(page.body.next).toBe(after);
        break;
      }
      after = page.body.next;
    }
    const feed = pages.flat();
    expect(pages[0]).toHaveLength(4);
    // Every webhook is a feed item, its id naming the item's cursor.
    const cursors = feed.map((item) => item.cursor);
    for (const w of receiver.state.accepted) {
      expect(cursors).toContain(w.id.replace(/^evt_shop_/, ""));
    }
    expect([...cursors].sort((x, y) => Number(x.split("-")[0]) - Number(y.split("-")[0]))).toEqual(
      cursors,
    );

    const bad = await asCrm<{ error: { code: string } }>("/v1/agent/events?after=yesterday");
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("bad_request");
  });

  it("stops sending to an endpoint that answers 410", async () => {
    receiver.mode = "410";
    await chat(1, "gone");
    await until("the endpoint disabled", async () =>
      (await deliveries()).some((d) => d.outcome === "disabled" && d.status === 410),
    );
    const count = receiver.state.received.length;
    receiver.mode = "ok";
    await chat(2, "after");
    await new Promise((r) => setTimeout(r, 500));
    expect(receiver.state.received.length).toBe(count);
  });
});

describe("an instance killed mid-delivery", () => {
  it("leaves its lanes to the other instance, which delivers them all, in order", async () => {
    const store = await startRedisServer();
    const hooks = await startWebhookReceiver(SECRET);
    const env = {
      OMNITHREAD_STORE: "redis",
      REDIS_URL: store.url,
      PUBLIC_URL: "http://omnithread.test",
      OMNITHREAD_SITES: sitesFile(hooks.url),
    };
    const options = {
      webhookIntervalMs: 40,
      webhooks: { timeoutMs: 1000, retryDelaysMs: RETRY_DELAYS_MS },
    };
    const doomed = await startServerProcess(env, options);
    let survivor: ServerProcess | undefined;
    try {
      await new Promise((r) => setTimeout(r, 300));
      hooks.mode = "hang";
      const id = await chat(3, "k", [doomed.url]);
      await until("a delivery in flight", () => hooks.state.hanging > 0);
      doomed.stop("SIGKILL");
      await once(doomed.child, "exit");
      survivor = await startServerProcess(env, options);
      hooks.mode = "ok";
      const expected = new Map([
        [id, ["conversation.created", "message k 1", "message k 2", "message k 3"]],
      ]);
      const arrived = await until("every item delivered", () =>
        allArrived(hooks.state.accepted, expected),
      );
      expect(arrived.get(id)).toEqual(expected.get(id));
      const log = await deliveries(survivor.url);
      expect(log.filter((d) => d.outcome === "delivered")).toHaveLength(4);
    } finally {
      survivor?.stop();
      doomed.stop("SIGKILL");
      await hooks.stop().catch(() => undefined);
      await store.stop();
    }
  });
});
