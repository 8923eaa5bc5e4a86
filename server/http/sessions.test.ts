import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { ServerFrame } from "../../sdk/protocol.ts";
import { createApp } from "../app.ts";
import { generateKeyRingConfig, loadKeyRing } from "../auth/keys.ts";
import { loadConfig } from "../config.ts";
import { silentLogger } from "../log.ts";
import { memoryStore } from "../store/memory.ts";
import { agentSession, visitorSession } from "./sessions.ts";

async function setup() {
  const config = loadConfig({ PORT: "8787" }, readFileSync("demo/sites.json", "utf8"));
  const { services } = createApp({
    config,
    store: memoryStore(),
    keyRing: await loadKeyRing(await generateKeyRingConfig()),
    log: silentLogger,
  });
  const { conversation } = await services.threads.start("demo", null);
  const visitor = await services.tokens.signConversationToken({
    contactId: conversation.contactId,
    conversationId: conversation.id,
    siteId: "demo",
  });
  const agent = await services.tokens.signAgentToken({
    email: "agent@example.com",
    name: "Alex",
    siteId: "demo",
  });
  return { services, visitor: visitor.token, agent: agent.token };
}

const outlet = () => ({
  frames: [] as ServerFrame[],
  send(f: ServerFrame) {
    this.frames.push(f);
  },
  close() {},
});

describe("a socket that closes while its hello is still being checked", () => {
  it("leaves no visitor listener behind", async () => {
    const { services, visitor } = await setup();
    const session = visitorSession(services, undefined, outlet());
    const hello = session.receive(JSON.stringify({ type: "hello", token: visitor }));
    session.end();
    await hello;
    expect(services.hub.size).toBe(0);
  });

  it("leaves no agent online", async () => {
    const { services, agent } = await setup();
    const session = agentSession(services, undefined, outlet());
    const hello = session.receive(JSON.stringify({ type: "hello", token: agent }));
    session.end();
    await hello;
    await new Promise((r) => setTimeout(r, 20));
    expect(services.hub.size).toBe(0);
    expect(await services.presence.list("demo")).toEqual({});
    services.presence.close();
  });
});
