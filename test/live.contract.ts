import { beforeAll, describe, expect, it } from "vitest";
import type {
  ConversationSnapshot,
  EventFrame,
  ServerFrame,
  ThreadEvent,
} from "../sdk/protocol.ts";
import { api, LiveClient, type ServerUnderTest } from "./helpers/omnithread.ts";

/**
 * The live contract (docs/architecture.md §4): the visitor's and the agent's WebSocket, and the SSE
 * fallback. Every server runs it: the Node entry (`test/integration/live.test.ts`) and the edge
 * worker (`test/edge/contract.test.ts`). `target` is read once the caller's `beforeAll` has started
 * it.
 */
export function describeLiveContract(name: string, target: () => ServerUnderTest): void {
  describe(`live contract: ${name}`, () => {
    const url = () => target().url;
    let agentToken: string;
    beforeAll(async () => {
      const login = await api<{ token: string }>(url(), "/v1/agent/login", {
        body: { email: "agent@example.com", password: "omnithread-demo" },
      });
      agentToken = login.body.token;
    });

    async function startConversation(): Promise<ConversationSnapshot> {
      return (
        await api<ConversationSnapshot>(url(), "/v1/conversations", { body: { siteId: "demo" } })
      ).body;
    }

    const isEvent = (f: ServerFrame): f is EventFrame => f.type === "event";
    const eventWith =
      (text: string) =>
      (f: ServerFrame): f is EventFrame =>
        f.type === "event" && f.event.text === text;

    async function visitorSocket(token: string, after = 0): Promise<LiveClient> {
      const client = await LiveClient.connect(`${url()}/v1/live`);
      client.send({ type: "hello", token, after });
      await client.waitFor((f) => f.type === "ready");
      return client;
    }

    describe("visitor WebSocket /v1/live", () => {
      it("acks a send with its event, echoes it to the visitor's other tabs only, and absorbs a retry", async () => {
        const { token } = await startConversation();
        const client = await visitorSocket(token);
        const otherTab = await visitorSocket(token);
        client.send({ type: "send", clientId: "ws-1", text: "hi over ws" });
        const ack = await client.waitFor((f) => f.type === "ack");
        expect(ack).toMatchObject({ clientId: "ws-1", event: { seq: 1, text: "hi over ws" } });
        await otherTab.waitFor(eventWith("hi over ws"));
        // A retry of the same clientId acks the same seq and adds nothing.
        client.send({ type: "send", clientId: "ws-1", text: "hi over ws" });
        await new Promise((r) => setTimeout(r, 150));
        const acks = client.frames.filter((f) => f.type === "ack");
        expect(acks.map((f) => (f.type === "ack" ? f.event.seq : 0))).toEqual([1, 1]);
        // The ack carried the event: the sender's socket gets no second copy of it.
        expect(client.eventSeqs()).toEqual([]);
        expect(otherTab.eventSeqs()).toEqual([1]);
        client.close();
        otherTab.close();
      });

      it("reconnects with after=N and gets exactly what it missed, nothing twice", async () => {
        const { token } = await startConversation();
        for (const i of [1, 2, 3, 4]) {
          await api(url(), "/v1/messages", {
            token,
            body: { clientId: `m${i}`, text: `message ${i}` },
          });
        }
        const client = await visitorSocket(token, 2);
        expect(client.eventSeqs()).toEqual([3, 4]);
        await api(url(), "/v1/messages", { token, body: { clientId: "m5", text: "message 5" } });
        await client.waitFor(eventWith("message 5"));
        expect(client.eventSeqs()).toEqual([3, 4, 5]);
        client.close();
      });

      it("delivers an agent's reply live, and never an internal note", async () => {
        const { token, conversation } = await startConversation();
        const client = await visitorSocket(token);
        const path = `/v1/agent/conversations/${conversation.id}`;
        const note = await api(url(), `${path}/notes`, {
          token: agentToken,
          body: { text: "VIP, be nice" },
        });
        expect(note.status).toBe(201);
        const reply = await api<{ event: ThreadEvent; deliveredVia: string }>(
          url(),
          `${path}/messages`,
          {
            token: agentToken,
            body: { text: "Hello from Alex" },
          },
        );
        expect(reply.status).toBe(201);
        expect(reply.body.deliveredVia).toBe("web");
        const frame = await client.waitFor(eventWith("Hello from Alex"));
        expect(frame.event).toMatchObject({ seq: 2, author: { role: "agent", name: "Alex" } });
        await new Promise((r) => setTimeout(r, 100));
        expect(client.frames.some((f) => JSON.stringify(f).includes("VIP, be nice"))).toBe(false);
        // Reading history over HTTP hides it too; the agent sees both.
        const history = await api<{ events: ThreadEvent[] }>(url(), "/v1/conversation", { token });
        expect(history.body.events.map((e) => e.text)).toEqual(["Hello from Alex"]);
        const thread = await api<{ events: ThreadEvent[] }>(url(), path, { token: agentToken });
        expect(thread.body.events.map((e) => e.type)).toEqual(["note", "message"]);
        // A reconnect from before the note skips it as well.
        const again = await visitorSocket(token, 0);
        expect(again.frames.filter(isEvent).map((f) => f.event.text)).toEqual(["Hello from Alex"]);
        client.close();
        again.close();
      });

      it("closes a socket whose hello carries a bad token, with an error frame first", async () => {
        const client = await LiveClient.connect(`${url()}/v1/live`);
        client.send({ type: "hello", token: "not-a-token" });
        const error = await client.waitFor((f) => f.type === "error");
        expect(error).toMatchObject({ error: { code: "unauthorized" } });
        expect((await client.waitForClose()).code).toBe(1008);
      });

      it("refuses to send before hello, and answers garbage frames with an error", async () => {
        const { token } = await startConversation();
        const client = await LiveClient.connect(`${url()}/v1/live`);
        client.send({ type: "send", clientId: "x", text: "too early" });
        await client.waitFor((f) => f.type === "error" && f.error.code === "unauthorized");
        await client.waitForClose();
        const ok = await visitorSocket(token);
        ok.send("{garbage");
        await ok.waitFor((f) => f.type === "error" && f.error.code === "invalid_json");
        ok.send({ type: "send", clientId: "bad id!", text: "x" });
        await ok.waitFor(
          (f) => f.type === "error" && f.error.code === "bad_request" && f.clientId === "bad id!",
        );
        expect(ok.closed).toBeNull();
        ok.close();
      });

      it("refuses an upgrade from an origin no site allows", async () => {
        await expect(
          LiveClient.connect(`${url()}/v1/live`, "https://evil.example"),
        ).rejects.toThrow(/403/);
      });
    });

    describe("agent WebSocket /v1/agent/live", () => {
      it("hears every visitor message and note of its site, and visitor typing", async () => {
        const agent = await LiveClient.connect(`${url()}/v1/agent/live`);
        agent.send({ type: "hello", token: agentToken });
        await agent.waitFor((f) => f.type === "ready");
        const { token, conversation } = await startConversation();
        await api(url(), "/v1/messages", {
          token,
          body: { clientId: "a1", text: "to the agent" },
        });
        const frame = await agent.waitFor(eventWith("to the agent"));
        expect(frame.conversationId).toBe(conversation.id);

        const visitor = await visitorSocket(token);
        visitor.send({ type: "typing" });
        await agent.waitFor((f) => f.type === "typing" && f.conversationId === conversation.id);
        agent.send({ type: "typing", conversationId: conversation.id });
        await visitor.waitFor((f) => f.type === "typing" && f.author.role === "agent");
        agent.close();
        visitor.close();
      });

      it("refuses a visitor token in the agent hello", async () => {
        const { token } = await startConversation();
        const agent = await LiveClient.connect(`${url()}/v1/agent/live`);
        agent.send({ type: "hello", token });
        await agent.waitFor((f) => f.type === "error" && f.error.code === "unauthorized");
        await agent.waitForClose();
      });
    });

    describe("Server-Sent Events fallback /v1/events", () => {
      it("streams events after a seq with id: <seq>, then live ones", async () => {
        const { token } = await startConversation();
        await api(url(), "/v1/messages", { token, body: { clientId: "s1", text: "first" } });
        await api(url(), "/v1/messages", { token, body: { clientId: "s2", text: "second" } });
        const controller = new AbortController();
        const response = await fetch(`${url()}/v1/events?after=1`, {
          headers: { authorization: `Bearer ${token}` },
          signal: controller.signal,
        });
        expect(response.headers.get("content-type")).toMatch(/text\/event-stream/);
        const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
        let text = "";
        const readUntil = async (needle: string) => {
          while (!text.includes(needle)) {
            const { value, done } = await reader.read();
            if (done) throw new Error(`stream ended before ${needle}`);
            text += value;
          }
        };
        await readUntil('"second"');
        await api(url(), "/v1/messages", { token, body: { clientId: "s3", text: "third" } });
        await readUntil('"third"');
        controller.abort();
        // Parse the SSE blocks: unnamed ones carry events, with id = seq.
        const blocks = text
          .split("\n\n")
          .filter(Boolean)
          .map((block) => {
            const fields = Object.fromEntries(
              block
                .split("\n")
                .map((line) => [
                  line.slice(0, line.indexOf(":")),
                  line.slice(line.indexOf(":") + 2),
                ]),
            );
            return fields as { id?: string; event?: string; data: string };
          });
        const events = blocks
          .filter((b) => !b.event)
          .map((b) => ({ id: b.id, event: JSON.parse(b.data) as ThreadEvent }));
        expect(events.map((e) => [e.id, e.event.seq, e.event.text])).toEqual([
          ["2", 2, "second"],
          ["3", 3, "third"],
        ]);
      });

      it("refuses a stream without a token, with the JSON error", async () => {
        const res = await api(url(), "/v1/events");
        expect(res.status).toBe(401);
      });
    });
  });
}
