/**
 * The customer record's export and the audit log, on the real server: one JSON document with
 * everything held on a contact, and who changed, exported or resolved what.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateApiKey } from "../../server/auth/api-keys.ts";
import { silentLogger } from "../../server/log.ts";
import { type RunningServer, startServer } from "../../server/node.ts";
import { api, testKeys } from "../helpers/omnithread.ts";

const demo = JSON.parse(readFileSync("demo/sites.json", "utf8")).sites[0];
const crm = await generateApiKey("crm");
const readOnly = await generateApiKey("reader", ["contacts"]);
const ORIGIN = "https://shop.example";

let server: RunningServer;
let agentToken: string;
let visitorToken: string;
let conversationId: string;
let contactId: string;

beforeAll(async () => {
  server = await startServer({
    env: {
      PORT: "0",
      HOST: "127.0.0.1",
      OMNITHREAD_KEYS: await testKeys,
      OMNITHREAD_SITES: JSON.stringify({
        sites: [
          {
            id: "shop",
            origins: [ORIGIN],
            agents: [
              { email: "ann@shop.example", name: "Ann", passwordHash: demo.agents[0].passwordHash },
            ],
            apiKeys: [crm.entry, readOnly.entry],
          },
        ],
      }),
    },
    log: silentLogger,
  });
  const login = await api<{ token: string }>(server.url, "/v1/agent/login", {
    body: { email: "ann@shop.example", password: "omnithread-demo" },
  });
  agentToken = login.body.token;
  const started = await api<{ conversation: { id: string; contactId: string }; token: string }>(
    server.url,
    "/v1/conversations",
    { body: { siteId: "shop" }, headers: { origin: ORIGIN } },
  );
  visitorToken = started.body.token;
  conversationId = started.body.conversation.id;
  contactId = started.body.conversation.contactId;
  await api(server.url, "/v1/messages", {
    token: visitorToken,
    body: { clientId: "m1", text: "My parcel never came" },
    headers: { origin: ORIGIN },
  });
});
afterAll(() => server?.stop());

interface AuditPage {
  entries: Array<{
    action: string;
    actor: { type: string; id: string };
    at: string;
    contactId?: string;
    details?: Record<string, unknown>;
  }>;
  next: string;
}

interface ThreadEventLike {
  seq: number;
  text: string;
}

interface ExportDocument {
  contact: { id: string; identities: unknown[]; attributes: Record<string, unknown> };
  identities: unknown[];
  conversations: Array<{
    conversation: { id: string };
    events: ThreadEventLike[];
    callbacks: unknown[];
  }>;
  ratings: unknown[];
}

const as = <T = Record<string, unknown>>(
  token: string,
  path: string,
  init: { body?: unknown; method?: string } = {},
) => api<T>(server.url, path, { token, ...init });

describe("the audit log", () => {
  it("records who assigned, resolved and changed attributes, by agent or API key", async () => {
    await as(agentToken, `/v1/agent/conversations/${conversationId}`, {
      method: "PATCH",
      body: { assignee: "ann@shop.example" },
    });
    await as(crm.key, `/v1/agent/conversations/${conversationId}`, {
      method: "PATCH",
      body: { status: "resolved" },
    });
    await as(crm.key, `/v1/agent/contacts/${contactId}`, {
      method: "PATCH",
      body: { attributes: { orders: 4, plan: "gold" } },
    });
    const log = await as<AuditPage>(crm.key, "/v1/agent/audit");
    expect(log.status).toBe(200);
    expect(log.body.entries.map((e) => [e.action, e.actor, e.details])).toEqual([
      [
        "conversation.assigned",
        { type: "agent", id: "ann@shop.example" },
        { from: null, to: "ann@shop.example" },
      ],
      ["conversation.status", { type: "apiKey", id: "crm" }, { from: "open", to: "resolved" }],
      ["contact.attributes", { type: "apiKey", id: "crm" }, { names: ["orders", "plan"] }],
    ]);
    for (const entry of log.body.entries) {
      expect(entry.at).toMatch(/^\d{4}-\d\d-\d\dT/);
      expect(entry.contactId).toBe(contactId);
    }
    // Paging goes on from `next`; an unchanged log answers nothing new.
    const after = await as<AuditPage>(crm.key, `/v1/agent/audit?after=${log.body.next}`);
    expect(after.body).toEqual({ entries: [], next: log.body.next });
    // The log is the team's: a key with the contacts scope alone cannot read it.
    expect((await as(readOnly.key, "/v1/agent/audit")).status).toBe(403);
  });
});

describe("a contact's export", () => {
  it("holds the contact, its identities and every conversation with every event, callback and rating", async () => {
    await as(agentToken, `/v1/agent/conversations/${conversationId}/notes`, {
      body: { text: "Offered a refund" },
    });
    const rated = await api(server.url, "/v1/csat", {
      token: visitorToken,
      body: { rating: 4, comment: "quick" },
      headers: { origin: ORIGIN },
    });
    expect(rated.status).toBeLessThan(300);

    const exported = await as<ExportDocument>(
      readOnly.key,
      `/v1/agent/contacts/${contactId}/export`,
    );
    expect(exported.status).toBe(200);
    const doc = exported.body;
    expect(doc.contact).toMatchObject({ id: contactId, attributes: { orders: 4, plan: "gold" } });
    expect(doc.identities).toEqual(doc.contact.identities);
    expect(doc.conversations).toHaveLength(1);
    const [{ conversation, events, callbacks }] = doc.conversations as [
      ExportDocument["conversations"][number],
    ];
    expect(conversation.id).toBe(conversationId);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.map((e) => e.text)).toEqual(
      expect.arrayContaining(["My parcel never came", "Offered a refund"]),
    );
    expect(callbacks).toEqual([]);
    expect(doc.ratings).toEqual([
      { conversationId, rating: 4, comment: "quick", at: expect.any(String) },
    ]);
    expect(exported.headers.get("content-disposition")).toBe(
      `attachment; filename="contact-${contactId}.json"`,
    );

    const log = await as<AuditPage>(crm.key, "/v1/agent/audit");
    expect(log.body.entries.at(-1)).toMatchObject({
      action: "contact.exported",
      actor: { type: "apiKey", id: "reader" },
      contactId,
    });
    // Another site's contact, or none, is not found.
    expect((await as(crm.key, "/v1/agent/contacts/nobody/export")).status).toBe(404);
  });
});
