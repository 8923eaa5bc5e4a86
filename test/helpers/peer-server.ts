import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

/** One request as an emulated API sees it: its path, its Authorization header, its body. */
export interface PeerRequest {
  path: string;
  authorization?: string;
  body: string;
  /** The body's bytes and type, for an API that takes files (multipart/form-data). */
  bytes: Buffer;
  contentType: string;
}

type PeerAnswer = { status: number; body: unknown; contentType?: string };

/**
 * Serves an emulated API on 127.0.0.1 for the tests: each request read whole and handed to
 * `handle`, its answer sent as JSON, or as bytes of `contentType` (a file the API serves).
 *
 * @example
 * const { url, stop } = await servePeer((request) => bot.handle(request));
 */
export async function servePeer(
  handle: (request: PeerRequest) => PeerAnswer | Promise<PeerAnswer>,
): Promise<{ url: string; stop(): Promise<void> }> {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", async () => {
      const url = new URL(request.url ?? "/", "http://127.0.0.1");
      const bytes = Buffer.concat(chunks);
      const { status, body, contentType } = await handle({
        path: url.pathname,
        ...(request.headers.authorization ? { authorization: request.headers.authorization } : {}),
        body: bytes.toString("utf8"),
        bytes,
        contentType: request.headers["content-type"] ?? "",
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
