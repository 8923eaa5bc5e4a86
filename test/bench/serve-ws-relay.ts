/**
 * Benchmark child: the bare `ws` baseline. It speaks the same frames as omnithread's live API
 * (`/v1/live` for visitors, `/v1/agent/live` for the one agent) and does the relay's work minus
 * the business logic: JSON.parse each visitor frame, build the event, JSON.stringify it to the
 * agent socket and an ack (with the event) back to the sender. No auth, no store, no hub.
 *
 * Run alone: `npx tsx test/bench/serve-ws-relay.ts` (prints `{"server":…,"port":…}`).
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { type WebSocket, WebSocketServer } from "ws";
import { runServerChild } from "./child.ts";

interface Frame {
  type?: unknown;
  clientId?: unknown;
  text?: unknown;
}

await runServerChild("ws-relay", async () => {
  const http = createServer((_req, res) => res.writeHead(404).end());
  const wss = new WebSocketServer({ server: http, maxPayload: 128 * 1024 });
  let agent: WebSocket | null = null;
  let conversations = 0;

  wss.on("connection", (ws, req) => {
    if (req.url === "/v1/agent/live") {
      ws.on("message", (raw) => {
        const frame = JSON.parse(String(raw)) as Frame;
        if (frame.type === "hello") {
          agent = ws;
          ws.send(JSON.stringify({ type: "ready" }));
        }
      });
      ws.on("close", () => {
        if (agent === ws) agent = null;
      });
      return;
    }
    let conversationId: string | null = null;
    let seq = 0;
    ws.on("message", (raw) => {
      let frame: Frame;
      try {
        frame = JSON.parse(String(raw)) as Frame;
      } catch {
        ws.send(JSON.stringify({ type: "error", error: { code: "invalid_json" } }));
        return;
      }
      if (frame.type === "hello") {
        conversationId = `c${++conversations}`;
        ws.send(JSON.stringify({ type: "ready", conversationId }));
      } else if (
        frame.type === "send" &&
        conversationId &&
        typeof frame.clientId === "string" &&
        typeof frame.text === "string"
      ) {
        seq += 1;
        const event = {
          id: `${conversationId}:${seq}`,
          seq,
          type: "message",
          channel: "web",
          author: { role: "visitor" },
          text: frame.text,
          clientId: frame.clientId,
          createdAt: new Date().toISOString(),
        };
        agent?.send(JSON.stringify({ type: "event", conversationId, event }));
        ws.send(JSON.stringify({ type: "ack", clientId: frame.clientId, event }));
      } else {
        ws.send(JSON.stringify({ type: "error", error: { code: "bad_request" } }));
      }
    });
  });

  await new Promise<void>((ready) => http.listen(0, "127.0.0.1", ready));
  return {
    port: (http.address() as AddressInfo).port,
    stop: () =>
      new Promise<void>((done) => {
        for (const ws of wss.clients) ws.terminate();
        http.closeAllConnections();
        http.close(() => done());
      }),
  };
});
