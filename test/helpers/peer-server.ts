import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

/** One request as an emulated API sees it: its path, its Authorization header, its body. */
export interface PeerRequest {
  path: string;
  authorization?: string;
  body: string;
}

/**
 * Serves an emulated API on 127.0.0.1 for the tests: each request read whole and handed to
 * `handle`, its answer sent as JSON, or as bytes of `contentType` (a file the API serves).
 *
 * @example
 * const { url, stop } = await servePeer((request) => bot.handle(request));
 */
export async function servePeer(
  handle: (request: PeerRequest) => { status: number; body: unknown; contentType?: string },
): Promise<{ url: string; stop(): Promise<void> }> {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const url = new URL(request.url ?? "/", "http://127.0.0.1");
      const { status, body, contentType } = handle({
        path: url.pathname,
        ...(request.headers.authorization ? { authorization: request.headers.authorization } : {}),
        body: Buffer.concat(chunks).toString("utf8"),
      });
      if (body instanceof Uint8Array) {
        response.writeHead(status, { "content-type": contentType ?? "application/octet-stream" });
        response.end(body);
        return;
      }
      response.writeHead(status, { "content-type": "application/json" });
      response.end(JSON.stringify(body));
    });
  });
  await new Promise<void>((ready) => server.listen(0, "127.0.0.1", ready));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
