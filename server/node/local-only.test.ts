import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { localOnly } from "./local-only.ts";

/** A request as @hono/node-server hands it over: the connection's socket in the env. */
function from(remoteAddress: string, headers: Record<string, string> = {}) {
  const app = new Hono();
  app.use("/demo/*", localOnly);
  app.get("/demo/mail/inbox", (c) => c.json({ mails: [] }));
  return app.request("/demo/mail/inbox", { headers }, { incoming: { socket: { remoteAddress } } });
}

describe("the demo simulators' guard", () => {
  it("answers this machine over IPv4, IPv6 and IPv4-mapped loopback", async () => {
    for (const address of ["127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1"]) {
      expect((await from(address)).status, address).toBe(200);
    }
  });

  it("refuses any other address with a JSON error that says how to open it", async () => {
    for (const address of ["203.0.113.7", "10.0.0.2", "::ffff:192.0.2.1", "2001:db8::1"]) {
      const response = await from(address);
      expect(response.status, address).toBe(403);
      const body = (await response.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe("forbidden");
      expect(body.error.message).toContain("OMNITHREAD_DEMO_PUBLIC=1");
    }
  });

  it("refuses a request a local proxy relays for someone else", async () => {
    expect((await from("127.0.0.1", { "x-forwarded-for": "203.0.113.7" })).status).toBe(403);
    expect((await from("::1", { forwarded: "for=203.0.113.7" })).status).toBe(403);
  });
});
