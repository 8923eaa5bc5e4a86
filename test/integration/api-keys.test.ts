/**
 * API keys: a site's backend (a CRM, a shop) calls the agent API with `Authorization: Bearer
 * ot_sk_…` instead of an agent's password, on the real server over HTTP and the agent socket.
 */
import { readFileSync } from "node:fs";
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateApiKey } from "../../server/auth/api-keys.ts";
import { loadConfig } from "../../server/config.ts";
import { type RunningServer, startServer } from "../../server/node.ts";
import { api, LiveClient, testKeys } from "../helpers/omnithread.ts";

const hash = JSON.parse(readFileSync("demo/sites.json", "utf8")).sites[0].agents[0]
  .passwordHash as string;

const crm = await generateApiKey("crm");
const outlet = await generateApiKey("outlet-crm");
const noAgentScope = await generateApiKey("contacts-only", ["contacts"]);
const agentOnlyKey = await generateApiKey("agent-only", ["agent"]);
const webhooksOnly = await generateApiKey("hooks-only", ["webhooks"]);

const SECRET = "identity-secret-of-the-shop-0123456789";
const site = (id: string, keys: object[]) => ({
  id,
  identitySecret: SECRET,
  origins: [`https://${id}.example`],
  agents: [{ email: `agent@${id}.example`, name: "Alex", passwordHash: hash }],
  apiKeys: keys,
});
const SITES = JSON.stringify({
  sites: [
    site("shop", [crm.entry, noAgentScope.entry, agentOnlyKey.entry, webhooksOnly.entry]),
    site("outlet", [outlet.entry]),
  ],
});

const lines: string[] = [];
let server: RunningServer;
let shopConversation: string;
let outletConversation: string;
let shopToken: string;

async function start(siteId: string): Promise<string> {
  const res = await api<{ conversation: { id: string }; token: string }>(
    server.url,
    "/v1/conversations",
    { body: { siteId }, headers: { origin: `https://${siteId}.example` } },
  );
  if (siteId === "shop") shopToken = res.body.token;
  await api(server.url, "/v1/messages", {
    token: res.body.token,
    body: { clientId: "m1", text: `Hello from ${siteId}` },
    headers: { origin: `https://${siteId}.example` },
  });
  return res.body.conversation.id;
}

beforeAll(async () => {
  server = await startServer({
    env: {
      PORT: "0",
      HOST: "127.0.0.1",
      OMNITHREAD_KEYS: await testKeys,
      OMNITHREAD_SITES: SITES,
    },
    logWrite: (line) => lines.push(line),
  });
  shopConversation = await start("shop");
  outletConversation = await start("outlet");
});
afterAll(() => server?.stop());

const asKey = (key: string, path: string, init: { body?: unknown; method?: string } = {}) =>
  api<Record<string, unknown>>(server.url, path, { token: key, ...init });

describe("an API key on the agent API", () => {
  it("reads its own site's inbox and thread from a server (no Origin)", async () => {
    const inbox = await asKey(crm.key, "/v1/agent/conversations");
    expect(inbox.status).toBe(200);
    const ids = (inbox.body.conversations as Array<{ id: string }>).map((c) => c.id);
    expect(ids).toContain(shopConversation);
    expect(ids).not.toContain(outletConversation);
    const thread = await asKey(crm.key, `/v1/agent/conversations/${shopConversation}`);
    expect(thread.status).toBe(200);
    expect(JSON.stringify(thread.body)).toContain("Hello from shop");
  });

  it("never reaches another site's data", async () => {
    const other = await asKey(crm.key, `/v1/agent/conversations/${outletConversation}`);
    expect(other.status).toBe(404);
    const reply = await asKey(crm.key, `/v1/agent/conversations/${outletConversation}/messages`, {
      body: { text: "not yours" },
    });
    expect(reply.status).toBe(404);
  });

  it("replies in the thread, named after the key", async () => {
    const reply = await asKey(crm.key, `/v1/agent/conversations/${shopConversation}/messages`, {
      body: { text: "Your order has shipped" },
    });
    expect(reply.status).toBe(201);
    expect(reply.body.event).toMatchObject({
      text: "Your order has shipped",
      author: { role: "agent", name: "API key crm" },
    });
  });

  it("is refused from a browser page, with a wrong secret, unknown, or without the agent scope", async () => {
    const fromPage = await api<{ error: { code: string } }>(server.url, "/v1/agent/conversations", {
      token: crm.key,
      headers: { origin: "https://shop.example" },
    });
    expect(fromPage.status).toBe(403);
    expect(fromPage.body.error.code).toBe("origin_not_allowed");

    const forged = `${crm.key.slice(0, -4)}aaaa`;
    for (const key of [forged, "ot_sk_nobody_abcdefghijklmnop", "ot_sk_crm"]) {
      const res = await asKey(key, "/v1/agent/conversations");
      expect(res.status, key).toBe(401);
    }
    const scoped = await api<{ error: { code: string; message: string } }>(
      server.url,
      "/v1/agent/conversations",
      { token: noAgentScope.key },
    );
    expect(scoped.status).toBe(403);
    expect(scoped.body.error).toEqual({
      code: "forbidden",
      message: 'The API key "contacts-only" lacks the "agent" scope',
    });
  });

  it("watches the site over the agent socket without showing up as a teammate online", async () => {
    const socket = await LiveClient.connect(`${server.url}/v1/agent/live`);
    socket.send({ type: "hello", token: crm.key });
    await socket.waitFor((f) => f.type === "ready");
    const agents = await asKey(crm.key, "/v1/agent/agents");
    expect(JSON.stringify(agents.body)).not.toContain("api-key:crm");
    await api(server.url, `/v1/agent/conversations/${shopConversation}/messages`, {
      token: crm.key,
      body: { text: "Seen live" },
    });
    const seen = await socket.waitFor(
      (f) => f.type === "event" && JSON.stringify(f).includes("Seen live"),
    );
    expect(seen.type).toBe("event");
    socket.close();
  });

  it("names the key's id in the access log, never the key", async () => {
    await asKey(crm.key, "/v1/agent/conversations");
    const access = lines
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((line) => line.message === "request" && line.path === "/v1/agent/conversations");
    expect(access.some((line) => line.apiKey === "crm")).toBe(true);
    const secret = crm.key.split("_").at(-1)!;
    expect(lines.join("\n")).not.toContain(secret);
  });
});

describe("the sites file's apiKeys", () => {
  const withKeys = (keys: unknown[][]) =>
    JSON.stringify({ sites: keys.map((k, i) => ({ ...site(`s${i}`, []), apiKeys: k })) });

  it("refuses a key without its hash, an unknown scope, and one id on two sites", () => {
    expect(() =>
      loadConfig(
        { PORT: "0" },
        withKeys([[{ id: "crm", hash: "plain-key", scopes: ["agent", "billing"] }]]),
      ),
    ).toThrow(/apiKeys\[0\]\.hash.*SHA-256[\s\S]*apiKeys\[0\]\.scopes\[1\]/);
    expect(() => loadConfig({ PORT: "0" }, withKeys([[crm.entry], [crm.entry]]))).toThrow(
      /sites\[1\]\.apiKeys\[0\]\.id.*API key id "crm" is also sites\[0\]\.apiKeys\[0\]/,
    );
  });
});

describe("the contacts API", () => {
  let contactId: string;

  beforeAll(async () => {
    // The shop's backend proves who its signed-in user is: the contact gains user and email.
    const jwt = await new SignJWT({ sub: "user-77", email: "Ana@Shop.example" })
      .setProtectedHeader({ alg: "HS256" })
      .setIssuedAt()
      .sign(new TextEncoder().encode(SECRET));
    const identified = await api<{ conversation: { contactId: string } }>(
      server.url,
      "/v1/identify",
      { token: shopToken, body: { jwt }, headers: { origin: "https://shop.example" } },
    );
    expect(identified.status).toBe(200);
    contactId = identified.body.conversation.contactId;
  });

  it("finds a contact by email or user id, on its own site only", async () => {
    for (const query of ["email=ana%40shop.example", "userId=user-77"]) {
      const found = await asKey(noAgentScope.key, `/v1/agent/contacts?${query}`);
      expect(found.status, query).toBe(200);
      expect((found.body.contacts as Array<{ id: string }>).map((c) => c.id)).toEqual([contactId]);
    }
    const elsewhere = await asKey(outlet.key, "/v1/agent/contacts?userId=user-77");
    expect(outlet.entry.scopes).toContain("contacts");
    expect(elsewhere.body.contacts).toEqual([]);
    const nobody = await asKey(crm.key, "/v1/agent/contacts?email=nobody%40shop.example");
    expect(nobody.body.contacts).toEqual([]);
  });

  it("asks for exactly one identity", async () => {
    for (const query of ["", "?email=a%40b.example&userId=u"]) {
      const res = await api<{ error: { code: string; message: string } }>(
        server.url,
        `/v1/agent/contacts${query}`,
        { token: crm.key },
      );
      expect(res.status, query).toBe(400);
      expect(res.body.error.message).toBe(
        "The query must name exactly one of email, userId, phone, psid, chatId, waId",
      );
    }
  });

  it("reads a contact with its conversations, and not another site's", async () => {
    const read = await asKey(crm.key, `/v1/agent/contacts/${contactId}`);
    expect(read.status).toBe(200);
    expect(read.body.contact).toMatchObject({ id: contactId, siteId: "shop" });
    expect((read.body.conversations as Array<{ id: string }>).map((c) => c.id)).toContain(
      shopConversation,
    );
    expect((await asKey(outlet.key, `/v1/agent/contacts/${contactId}`)).status).toBe(404);
  });

  it("takes the CRM's attributes (null erases one) and tells the console at once", async () => {
    const login = await api<{ token: string }>(server.url, "/v1/agent/login", {
      body: { email: "agent@shop.example", password: "omnithread-demo" },
      headers: { origin: server.url },
    });
    const socket = await LiveClient.connect(`${server.url}/v1/agent/live`, server.url);
    socket.send({ type: "hello", token: login.body.token });
    await socket.waitFor((f) => f.type === "ready");

    const set = await asKey(crm.key, `/v1/agent/contacts/${contactId}`, {
      method: "PATCH",
      body: { attributes: { orders: 3, plan: "pro" } },
    });
    expect(set.status).toBe(200);
    const erased = await asKey(crm.key, `/v1/agent/contacts/${contactId}`, {
      method: "PATCH",
      body: { attributes: { plan: null, vip: true } },
    });
    expect((erased.body.contact as { attributes: object }).attributes).toEqual({
      orders: 3,
      vip: true,
    });
    const frame = await socket.waitFor(
      (f) => f.type === "contact" && JSON.stringify(f).includes('"vip":true'),
    );
    expect(frame).toMatchObject({ type: "contact", contact: { id: contactId } });
    socket.close();

    const card = await api<{ contact: { attributes: object } }>(
      server.url,
      `/v1/agent/conversations/${shopConversation}`,
      { token: login.body.token, headers: { origin: server.url } },
    );
    expect(card.body.contact.attributes).toEqual({ orders: 3, vip: true });
  });

  it("opens to a key of scope contacts or agent, and to no other", async () => {
    expect((await asKey(agentOnlyKey.key, `/v1/agent/contacts/${contactId}`)).status).toBe(200);
    const res = await api<{ error: { code: string; message: string } }>(
      server.url,
      `/v1/agent/contacts/${contactId}`,
      { token: webhooksOnly.key },
    );
    expect(res.status).toBe(403);
    expect(res.body.error).toEqual({
      code: "forbidden",
      message: 'The API key "hooks-only" lacks the "contacts" scope',
    });
  });
});
