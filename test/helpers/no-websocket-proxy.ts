import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * An HTTP proxy that forwards ordinary requests (SSE included) and refuses every WebSocket
 * upgrade, like corporate proxies that break WebSockets.
 */
export async function startNoWebSocketProxy(
  target: string,
): Promise<{ url: string; stop(): Promise<void> }> {
  const to = new URL(target);
  const server = createServer((incoming, outgoing) => {
    const forward = request(
      {
        host: to.hostname,
        port: to.port,
        path: incoming.url,
        method: incoming.method,
        headers: incoming.headers,
      },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    forward.on("error", () => outgoing.destroy());
    incoming.pipe(forward);
  });
  server.on("upgrade", (_req, socket) => {
    socket.end("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n");
  });
  await new Promise<void>((ready) => server.listen(0, "127.0.0.1", ready));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () =>
      new Promise((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
