import { once } from "node:events";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { Webhook } from "standardwebhooks";

/** How the receiver answers: 200, 503, 410, or never (the request hangs until the sender gives up). */
export type ReceiverMode = "ok" | "503" | "410" | "hang";

export interface ReceivedWebhook {
  id: string;
  timestamp: number;
  body: {
    type: string;
    timestamp: string;
    data: { conversationId?: string; contactId?: string; event?: { seq: number; text: string } };
  };
}

/**
 * A CRM's webhook endpoint on loopback: it checks every request with the `standardwebhooks`
 * package's verifier, answers by `mode`, and can go down (its port closed) and come back on
 * the same port.
 */
export async function startWebhookReceiver(secret: string) {
  const verifier = new Webhook(secret);
  const sockets = new Set<Socket>();
  const state = {
    mode: "ok" as ReceiverMode,
    /** Requests whose signature held, in arrival order, whatever the answer was. */
    received: [] as ReceivedWebhook[],
    /** Those answered 200. */
    accepted: [] as ReceivedWebhook[],
    /** Requests whose signature did not hold (answered 401). */
    refused: 0,
    /** Requests being held by `hang`. */
    hanging: 0,
  };

  async function handle(req: IncomingMessage, res: import("node:http").ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    let body: ReceivedWebhook["body"];
    try {
      body = verifier.verify(raw, req.headers as Record<string, string>) as typeof body;
    } catch {
      state.refused += 1;
      res.writeHead(401).end();
      return;
    }
    const webhook = {
      id: String(req.headers["webhook-id"]),
      timestamp: Number(req.headers["webhook-timestamp"]),
      body,
    };
    state.received.push(webhook);
    if (state.mode === "hang") {
      state.hanging += 1;
      req.socket.once("close", () => {
        state.hanging -= 1;
      });
      return;
    }
    if (state.mode === "ok") state.accepted.push(webhook);
    res.writeHead(state.mode === "ok" ? 200 : Number(state.mode)).end();
  }

  let server: Server;
  async function listen(port: number): Promise<number> {
    server = createServer((req, res) => void handle(req, res));
    server.on("connection", (socket) => {
      sockets.add(socket);
      socket.once("close", () => sockets.delete(socket));
    });
    server.listen(port, "127.0.0.1");
    await once(server, "listening");
    return (server.address() as AddressInfo).port;
  }
  async function down(): Promise<void> {
    for (const socket of sockets) socket.destroy();
    await new Promise((done) => server.close(done));
  }
  const port = await listen(0);

  return {
    state,
    url: `http://127.0.0.1:${port}/hooks`,
    set mode(mode: ReceiverMode) {
      state.mode = mode;
    },
    down,
    /** Listens again on the same port. */
    up: () => listen(port),
    stop: down,
  };
}
