import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ConversationSnapshot } from "../../sdk/protocol.ts";
import type { RunningServer } from "../../server/node.ts";
import { acceptedMessage, refuseThenContinue, unreadBodyRefusals } from "../helpers/keep-alive.ts";
import { api, nodeUnderTest, startTestServer } from "../helpers/omnithread.ts";
import { describeVisitorApiContract } from "../visitor-api.contract.ts";

let server: RunningServer;

beforeAll(async () => {
  server = await startTestServer({}, { startPerIp: { limit: 1000, windowMs: 60_000 } });
});
afterAll(() => server?.stop());

describeVisitorApiContract("Node", () => nodeUnderTest(server));

describe("Node: a refused body ends its keep-alive connection, and says so", () => {
  it("answers Connection: close to a 413, 415 or 401 that left the body unread; the client reconnects", async () => {
    const { body } = await api<ConversationSnapshot>(server.url, "/v1/conversations", {
      body: { siteId: "demo" },
    });
    const accepted = acceptedMessage(body.token);
    const outcomes = await refuseThenContinue(
      server.url,
      [...unreadBodyRefusals(body.token), accepted],
      { path: "/v1/conversation", headers: { authorization: `Bearer ${body.token}` } },
    );
    expect(outcomes).toEqual([
      { name: "413", status: 413, connection: "close", next: 200, connections: 2 },
      { name: "415", status: 415, connection: "close", next: 200, connections: 2 },
      { name: "401", status: 401, connection: "close", next: 200, connections: 2 },
      // A body that was read keeps its connection.
      { name: "201", status: 201, connection: "keep-alive", next: 200, connections: 1 },
    ]);
  });
});

/** What needs servers of their own: a proxy in front, limits set per server. */
describe("Node: proxies and per-IP limits", () => {
  it("behind a trusted proxy, counts the address the proxy saw, not what the client wrote", async () => {
    const proxied = await startTestServer(
      { TRUST_PROXY: "1" },
      { startPerIp: { limit: 2, windowMs: 60_000 } },
    );
    try {
      const statuses = [];
      for (const spoof of ["10.0.0.1", "10.0.0.2", "10.0.0.3"]) {
        const res = await api(proxied.url, "/v1/conversations", {
          body: { siteId: "demo" },
          headers: { "x-forwarded-for": `${spoof}, 203.0.113.9` },
        });
        statuses.push(res.status);
      }
      expect(statuses).toEqual([201, 201, 429]);
    } finally {
      await proxied.stop();
    }
  });

  it("limits all visitor calls per IP", async () => {
    const tight = await startTestServer({}, { requestsPerIp: { limit: 4, windowMs: 60_000 } });
    try {
      const { body } = await api<ConversationSnapshot>(tight.url, "/v1/conversations", {
        body: { siteId: "demo" },
      });
      const statuses = [];
      for (let i = 0; i < 4; i++)
        statuses.push((await api(tight.url, "/v1/conversation", { token: body.token })).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
      expect((await api(tight.url, "/health")).status).toBe(200);
    } finally {
      await tight.stop();
    }
  });

  it("limits new conversations per IP tightly", async () => {
    const tight = await startTestServer({}, { startPerIp: { limit: 3, windowMs: 60_000 } });
    try {
      const statuses = [];
      for (let i = 0; i < 5; i++)
        statuses.push(
          (await api(tight.url, "/v1/conversations", { body: { siteId: "demo" } })).status,
        );
      expect(statuses).toEqual([201, 201, 201, 429, 429]);
    } finally {
      await tight.stop();
    }
  });
});
