import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ServerFrame } from "../../sdk/protocol.ts";
import { invalid, type JsonSchema, valid } from "../../test/helpers/arbitrary.ts";
import { memoryApp } from "../../test/helpers/memory-app.ts";
import {
  AgentTypingFrame,
  PresenceFrame,
  SendFrame,
  VisitorTypingFrame,
} from "../schema/frames.ts";
import { jsonSchema } from "./openapi.ts";
import { agentSession, visitorSession } from "./sessions.ts";

async function setup() {
  const { services } = await memoryApp();
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

describe("frames are read by their schemas", () => {
  const closing = () => ({
    frames: [] as ServerFrame[],
    closed: null as number | null,
    send(f: ServerFrame) {
      this.frames.push(f);
    },
    close(code: number) {
      this.closed = code;
    },
  });
  const errors = (out: { frames: ServerFrame[] }) =>
    out.frames.filter((f) => f.type === "error").map((f) => (f.type === "error" ? f : null));

  it("answers a bad visitor frame with bad_request naming the field, and keeps the socket", async () => {
    const { services, visitor } = await setup();
    const out = closing();
    const session = visitorSession(services, undefined, out);
    await session.receive(JSON.stringify({ type: "hello", token: visitor }));
    await session.receive(JSON.stringify({ type: "send", clientId: "ok-1", text: "" }));
    await session.receive(JSON.stringify({ type: "send", clientId: "bad id!", text: "hi" }));
    await session.receive(JSON.stringify({ type: "presence", status: "away" }));
    await session.receive(
      JSON.stringify({ type: "send", clientId: "ok-2", text: "x".repeat(4001) }),
    );
    expect(errors(out)).toEqual([
      {
        type: "error",
        clientId: "ok-1",
        error: { code: "bad_request", message: '"text" must be 1–4000 characters' },
      },
      {
        type: "error",
        clientId: "bad id!",
        error: {
          code: "bad_request",
          message: '"clientId" must be 1–64 characters of A–Z, a–z, 0–9 and . _ : -',
        },
      },
      {
        type: "error",
        error: { code: "bad_request", message: '"type" must be hello, send or typing' },
      },
      {
        type: "error",
        clientId: "ok-2",
        error: { code: "bad_request", message: '"text" must be 1–4000 characters' },
      },
    ]);
    expect(out.closed).toBeNull();
    session.end();
  });

  it("refuses a hello without a token as unauthorized, and one with a bad after as bad_request, closing", async () => {
    const { services, visitor } = await setup();
    const noToken = closing();
    await visitorSession(services, undefined, noToken).receive(JSON.stringify({ type: "hello" }));
    expect(errors(noToken)[0]?.error.code).toBe("unauthorized");
    expect(noToken.closed).toBe(1008);
    const badAfter = closing();
    const session = visitorSession(services, undefined, badAfter);
    await session.receive(JSON.stringify({ type: "hello", token: visitor, after: "3" }));
    expect(errors(badAfter)[0]?.error).toEqual({
      code: "bad_request",
      message: '"after" must be a whole number, 0 or more',
    });
    expect(badAfter.closed).toBe(1008);
    session.end();
  });

  it("answers a bad agent frame with bad_request naming the field", async () => {
    const { services, agent } = await setup();
    const out = closing();
    const session = agentSession(services, undefined, out);
    await session.receive(JSON.stringify({ type: "hello", token: agent }));
    await session.receive(JSON.stringify({ type: "typing" }));
    await session.receive(JSON.stringify({ type: "presence", status: "busy" }));
    await session.receive(JSON.stringify({ type: "send", clientId: "a", text: "hi" }));
    expect(errors(out).map((f) => f?.error.message)).toEqual([
      '"conversationId" is required',
      '"status" must be one of online, away',
      '"type" must be hello, typing or presence (agents reply over HTTP)',
    ]);
    expect(out.closed).toBeNull();
    session.end();
    await new Promise((r) => setTimeout(r, 20));
    services.presence.close();
  });
});

describe("every frame, driven from its schema", () => {
  const RUNS = 60;
  const bad = (out: { frames: ServerFrame[] }) =>
    out.frames.filter((f) => f.type === "error" && f.error.code === "bad_request");

  /**
   * Files must be this conversation's, which no schema can say: a made-up id is refused, as
   * `not_found` (never `bad_request`), so these frames hold to the rule below as they are.
   */
  async function opened(role: "visitor" | "agent") {
    const { services, visitor, agent } = await setup();
    const out = outlet();
    const session = (role === "visitor" ? visitorSession : agentSession)(services, undefined, out);
    await session.receive(
      JSON.stringify({ type: "hello", token: role === "visitor" ? visitor : agent }),
    );
    out.frames.length = 0;
    return { session, out };
  }

  const cases = [
    { role: "visitor", frames: [SendFrame, VisitorTypingFrame] },
    { role: "agent", frames: [AgentTypingFrame, PresenceFrame] },
  ] as const;

  describe.each(cases)("on the $role socket", ({ role, frames }) => {
    const schemas = frames.map((frame) => jsonSchema(frame) as JsonSchema);

    it("takes every frame its schema accepts without a bad_request", async () => {
      const { session, out } = await opened(role);
      await fc.assert(
        fc.asyncProperty(fc.oneof(...schemas.map(valid)), async (frame) => {
          await session.receive(JSON.stringify(frame));
          expect(bad(out), JSON.stringify(frame)).toEqual([]);
        }),
        { numRuns: RUNS },
      );
      session.end();
    });

    it("answers every frame its schema refuses with bad_request, and keeps the socket", async () => {
      const { session, out } = await opened(role);
      const refused = schemas.map(invalid).filter((a) => a !== null);
      await fc.assert(
        fc.asyncProperty(fc.oneof(...refused), async (frame) => {
          out.frames.length = 0;
          await session.receive(JSON.stringify(frame));
          expect(bad(out), JSON.stringify(frame)).toHaveLength(1);
        }),
        { numRuns: RUNS },
      );
      session.end();
    });
  });
});
