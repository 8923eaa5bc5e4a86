/**
 * Erasing a contact on the real server over a real Redis: afterwards every key and every value
 * left in Redis is read, and none names the contact, its conversation, its address, its phone
 * or what it wrote. Its links and tokens lead nowhere, and its address starts over as a stranger.
 */
import { createClient } from "@redis/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateApiKey } from "../../server/auth/api-keys.ts";
import { sha256Hex } from "../../server/auth/bytes.ts";
import { newWebhookSecret } from "../../server/auth/webhook-signature.ts";
import { silentLogger } from "../../server/log.ts";
import { type RunningServer, startServer } from "../../server/node.ts";
import { api, testKeys } from "../helpers/omnithread.ts";
import { type RedisServerHandle, startRedisServer } from "../helpers/redis-server.ts";
import { startWebhookReceiver } from "../helpers/webhook-receiver.ts";

const crm = await generateApiKey("crm");
const brief = await generateApiKey("brief-crm");
const SECRET = newWebhookSecret();
const ORIGIN = "https://shop.example";
const ADDRESS = "jo.erasable@mail.example";
const PHONE = "+31612345678";
const SECRET_TEXT = "my order 4711 never came";

let redis: RedisServerHandle;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
let server: RunningServer;

beforeAll(async () => {
  redis = await startRedisServer();
  receiver = await startWebhookReceiver(SECRET);
  server = await startServer({
    env: {
      PORT: "0",
      HOST: "127.0.0.1",
      OMNITHREAD_KEYS: await testKeys,
      OMNITHREAD_STORE: "redis",
      REDIS_URL: redis.url,
      OMNITHREAD_SITES: JSON.stringify({
        sites: [
          {
            id: "shop",
            origins: [ORIGIN],
            apiKeys: [crm.entry],
            email: { from: "support@shop.example", replyDomain: "reply.shop.example" },
            callback: { country: "NL" },
            webhooks: [{ url: receiver.url, secret: SECRET }],
          },
          {
            id: "brief",
            origins: [ORIGIN],
            apiKeys: [brief.entry],
            retention: { resolvedDays: 0 },
          },
        ],
      }),
    },
    log: silentLogger,
    webhookIntervalMs: 40,
    callbackSweepMs: 100,
  });
});
afterAll(async () => {
  await server?.stop();
  await receiver?.stop().catch(() => undefined);
  await redis?.stop();
});

const asCrm = <T = Record<string, unknown>>(
  path: string,
  init: { body?: unknown; method?: string } = {},
) => api<T>(server.url, path, { token: crm.key, ...init });
const asVisitor = <T = Record<string, unknown>>(token: string, path: string, body?: unknown) =>
  api<T>(server.url, path, { token, headers: { origin: ORIGIN }, ...(body ? { body } : {}) });

/** Every key in Redis with everything it holds, as text. */
async function everything(): Promise<string[]> {
  const client = createClient({ url: redis.url });
  await client.connect();
  try {
    const out: string[] = [];
    for await (const keys of client.scanIterator({ COUNT: 500 })) {
      for (const key of Array.isArray(keys) ? keys : [keys]) {
        const type = await client.type(key);
        const value =
          type === "string"
            ? await client.get(key)
            : type === "hash"
              ? await client.hGetAll(key)
              : type === "list"
                ? await client.lRange(key, 0, -1)
                : type === "set"
                  ? await client.sMembers(key)
                  : type === "zset"
                    ? await client.zRangeWithScores(key, 0, -1)
                    : await client.xRange(key, "-", "+");
        out.push(`${key} ${JSON.stringify(value)}`);
      }
    }
    return out;
  } finally {
    await client.quit();
  }
}

describe("erasing a contact", () => {
  it("leaves nothing of it in Redis, and its links and address lead nowhere", async () => {
    await new Promise((r) => setTimeout(r, 200)); // the webhook endpoint registers
    const started = await api<{ conversation: { id: string; contactId: string }; token: string }>(
      server.url,
      "/v1/conversations",
      { body: { siteId: "shop" }, headers: { origin: ORIGIN } },
    );
    const { id, contactId } = started.body.conversation;
    const token = started.body.token;
    expect(
      (await asVisitor(token, "/v1/messages", { clientId: "m1", text: SECRET_TEXT })).status,
    ).toBe(201);
    const mailed = await asVisitor(token, "/v1/handoff", { channel: "email", email: ADDRESS });
    expect(mailed.status, JSON.stringify(mailed.body)).toBeLessThan(300);
    const called = await asVisitor(token, "/v1/handoff", {
      channel: "callback",
      phone: PHONE,
      window: "asap",
      timeZone: "Europe/Amsterdam",
    });
    expect(called.status, JSON.stringify(called.body)).toBeLessThan(300);
    await asCrm(`/v1/agent/conversations/${id}/messages`, { body: { text: "We are on it" } });
    await asCrm(`/v1/agent/contacts/${contactId}`, {
      method: "PATCH",
      body: { attributes: { orders: 2 } },
    });
    const link = await asCrm<{ url: string }>(`/v1/agent/conversations/${id}/resume-link`, {
      body: {},
    });
    const handlePath = new URL(link.body.url).pathname;
    const opened = await fetch(server.url + handlePath, { redirect: "manual" });
    expect(opened.status).toBe(302);
    // The CRM heard of it all before the erasure.
    const deadline = Date.now() + 10_000;
    while (!receiver.state.accepted.some((w) => w.body.data.event?.text === "We are on it")) {
      if (Date.now() > deadline) throw new Error("no webhook arrived");
      await new Promise((r) => setTimeout(r, 25));
    }
    const needles = [contactId, id, ADDRESS, PHONE.slice(1), SECRET_TEXT];
    const before = (await everything()).join("\n");
    for (const needle of needles) expect(before).toContain(needle);

    const erased = await asCrm<{ erased: { conversations: number; events: number } }>(
      `/v1/agent/contacts/${contactId}`,
      { method: "DELETE" },
    );
    expect(erased.status).toBe(200);
    expect(erased.body.erased.conversations).toBe(1);
    expect(erased.body.erased.events).toBeGreaterThanOrEqual(4);

    // A webhook round after it finds nothing of it either.
    await new Promise((r) => setTimeout(r, 200));
    const after = await everything();
    for (const needle of needles) {
      expect(after.filter((line) => line.includes(needle))).toEqual([]);
    }

    expect((await asCrm(`/v1/agent/conversations/${id}`)).status).toBe(404);
    expect((await asCrm(`/v1/agent/contacts/${contactId}`)).status).toBe(404);
    expect(
      (await asVisitor(token, "/v1/messages", { clientId: "m2", text: "hello?" })).status,
    ).toBe(404);
    const again = await fetch(server.url + handlePath, { redirect: "manual" });
    expect(again.status).not.toBe(302);
    expect(
      (await asCrm<{ contacts: unknown[] }>(`/v1/agent/contacts?email=${ADDRESS}`)).body.contacts,
    ).toEqual([]);

    // The audit log says it happened, naming the contact by its id's hash only.
    const audit = await asCrm<{ entries: Array<Record<string, unknown>> }>("/v1/agent/audit");
    expect(audit.body.entries).toEqual([
      expect.objectContaining({
        action: "contact.erased",
        actor: { type: "apiKey", id: "crm" },
        contactHash: await sha256Hex(contactId),
        details: erased.body.erased,
      }),
    ]);
  });
});

describe("retention", () => {
  it("erases a conversation once it has been resolved for the site's resolvedDays (0: at once)", async () => {
    const started = await api<{ conversation: { id: string; contactId: string }; token: string }>(
      server.url,
      "/v1/conversations",
      { body: { siteId: "brief" }, headers: { origin: ORIGIN } },
    );
    const { id, contactId } = started.body.conversation;
    await asVisitor(started.body.token, "/v1/messages", { clientId: "m1", text: "quick one" });
    const asBrief = <T = Record<string, unknown>>(
      path: string,
      init: { body?: unknown; method?: string } = {},
    ) => api<T>(server.url, path, { token: brief.key, ...init });
    // Open, it stays however often the sweep runs.
    await new Promise((r) => setTimeout(r, 300));
    expect((await asBrief(`/v1/agent/conversations/${id}`)).status).toBe(200);
    await asBrief(`/v1/agent/conversations/${id}`, {
      method: "PATCH",
      body: { status: "resolved" },
    });
    const deadline = Date.now() + 10_000;
    while ((await asBrief(`/v1/agent/conversations/${id}`)).status !== 404) {
      if (Date.now() > deadline) throw new Error("the resolved conversation was kept");
      await new Promise((r) => setTimeout(r, 50));
    }
    // Its contact had nothing else: it went with it.
    expect((await asBrief(`/v1/agent/contacts/${contactId}`)).status).toBe(404);
    expect((await everything()).filter((line) => line.includes(contactId))).toEqual([]);
  });
});
