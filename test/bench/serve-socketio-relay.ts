/**
 * Benchmark child: the Socket.IO baseline, the same relay as `serve-ws-relay.ts` on Socket.IO
 * (WebSocket transport only): `hello` and `agent-hello` with an acknowledgement, `send` parsed by
 * Socket.IO, the event emitted to the agent socket and acknowledged to the sender with the event.
 *
 * Run alone: `npx tsx test/bench/serve-socketio-relay.ts` (prints `{"server":…,"port":…}`).
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Server, type Socket } from "socket.io";
import { runServerChild } from "./child.ts";

interface SendFrame {
  clientId?: unknown;
  text?: unknown;
}

type Ack = (answer: unknown) => void;

await runServerChild("socketio-relay", async () => {
  const http = createServer();
  const io = new Server(http, {
    transports: ["websocket"],
    serveClient: false,
    maxHttpBufferSize: 128 * 1024,
  });
  let agent: Socket | null = null;
  let conversations = 0;

  io.on("connection", (socket) => {
    let conversationId: string | null = null;
    let seq = 0;
    socket.on("agent-hello", (ack: Ack) => {
      agent = socket;
      ack({ type: "ready" });
    });
    socket.on("hello", (ack: Ack) => {
      conversationId = `c${++conversations}`;
      ack({ type: "ready", conversationId });
    });
    socket.on("send", (frame: SendFrame, ack: Ack) => {
      if (
        !conversationId ||
        typeof frame?.clientId !== "string" ||
        typeof frame.text !== "string"
      ) {
        ack({ type: "error", error: { code: "bad_request" } });
        return;
      }
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
      agent?.emit("event", { conversationId, event });
      ack({ type: "ack", clientId: frame.clientId, event });
    });
    socket.on("disconnect", () => {
      if (agent === socket) agent = null;
    });
  });

  await new Promise<void>((ready) => http.listen(0, "127.0.0.1", ready));
  return {
    port: (http.address() as AddressInfo).port,
    stop: () =>
      new Promise<void>((done) => {
        io.disconnectSockets(true);
        http.closeAllConnections();
        io.close(() => done());
      }),
  };
});
