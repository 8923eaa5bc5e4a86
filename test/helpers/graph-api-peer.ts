import { createHash } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import {
  createGraphEmulator,
  type FailurePlan,
  type GraphCall,
  type SentMessage,
} from "../../server/node/messenger-simulator/graph.ts";
import { multipartFields } from "../../server/node/phone-simulator/form.ts";
import {
  type CloudApiEmulator,
  createCloudApiEmulator,
} from "../../server/node/whatsapp-simulator/cloud-api.ts";

/**
 * Meta's Graph API, played on 127.0.0.1 for the tests: the Send API of the demo's simulator
 * (`server/node/messenger-simulator/graph.ts`) and the WhatsApp Cloud API's send endpoint
 * (`server/node/whatsapp-simulator/cloud-api.ts`) behind a plain `node:http` server. It records
 * every call, checks the page access token (a wrong one gets Meta's OAuthException, code 190),
 * answers `{ recipient_id, message_id }`, and fails on request (`failNext`).
 *
 * @example
 * const peer = await startGraphApiPeer({ accessTokens: ["page-token"] });
 * const server = await startTestServer({ GRAPH_API_URL: peer.url, ... });
 * peer.failNext(2); // two transient 500s, then success
 */
export interface GraphApiPeer {
  url: string;
  /** Every Send API call, failed ones included, oldest first. */
  calls: GraphCall[];
  /** Every message accepted, oldest first. */
  sent: SentMessage[];
  failNext(count: number, plan?: FailurePlan): void;
  /** Messages accepted for one recipient. */
  sentTo(psid: string): SentMessage[];
  /** The WhatsApp Cloud API at the same base URL: its messages, window and failures. */
  cloud: CloudApiEmulator;
  /**
   * Files Meta holds for the platforms: WhatsApp media by id (`GET /<version>/<media-id>` answers
   * its URL; the bytes come from that URL with the access token), and Messenger attachments on
   * the CDN (a URL that needs no token). Each answers the URL it is served at.
   */
  media: {
    whatsapp(id: string, bytes: Uint8Array, mimeType: string): void;
    cdn(name: string, bytes: Uint8Array): string;
    /** The media downloads asked for, oldest first (by id or CDN name). */
    downloads: string[];
  };
  reset(): void;
  stop(): Promise<void>;
}

export async function startGraphApiPeer(options: {
  accessTokens: string[];
  whatsapp?: { accessTokens: string[]; phoneNumberIds: string[] };
}): Promise<GraphApiPeer> {
  const graph = createGraphEmulator({ accessTokens: options.accessTokens });
  const cloud = createCloudApiEmulator(
    options.whatsapp ?? { accessTokens: [], phoneNumberIds: [] },
  );
  const whatsappMedia = new Map<string, { bytes: Uint8Array; mimeType: string }>();
  const cdnFiles = new Map<string, Uint8Array>();
  const downloads: string[] = [];
  let base = "";
  /** A media answer, or null when the path is not one. */
  function mediaAnswer(
    path: string,
    authorization: string | undefined,
  ): { status: number; json?: unknown; bytes?: Uint8Array; type?: string } | null {
    const info = path.match(/^\/v\d+\.\d+\/(\d+)$/);
    const authorized = options.whatsapp?.accessTokens.some((t) => authorization === `Bearer ${t}`);
    if (info && whatsappMedia.has(info[1]!)) {
      if (!authorized)
        return { status: 401, json: { error: { code: 190, type: "OAuthException" } } };
      const { bytes, mimeType } = whatsappMedia.get(info[1]!)!;
      return {
        status: 200,
        json: {
          messaging_product: "whatsapp",
          url: `${base}/whatsapp/media/${info[1]}?ext=1&hash=ATsk`,
          mime_type: mimeType,
          sha256: createHash("sha256").update(bytes).digest("hex"),
          file_size: bytes.length,
          id: info[1],
        },
      };
    }
    const file = path.match(/^\/whatsapp\/media\/(\d+)$/);
    if (file) {
      if (!authorized) return { status: 401, json: { error: { code: 190 } } };
      downloads.push(file[1]!);
      const found = whatsappMedia.get(file[1]!);
      return found
        ? { status: 200, bytes: found.bytes, type: found.mimeType }
        : { status: 404, json: {} };
    }
    const cdn = path.match(/^\/cdn\/(.+)$/);
    if (cdn) {
      downloads.push(cdn[1]!);
      const found = cdnFiles.get(cdn[1]!);
      return found ? { status: 200, bytes: found } : { status: 404, json: {} };
    }
    return null;
  }
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", async () => {
      const url = new URL(request.url ?? "/", "http://127.0.0.1");
      const body = Buffer.concat(chunks).toString("utf8");
      const media =
        request.method === "GET" ? mediaAnswer(url.pathname, request.headers.authorization) : null;
      if (media) {
        response.writeHead(media.status, {
          "content-type": media.bytes
            ? (media.type ?? "application/octet-stream")
            : "application/json",
        });
        response.end(media.bytes ?? JSON.stringify(media.json));
        return;
      }
      if (cloud.owns(url.pathname)) {
        const type = request.headers["content-type"] ?? "";
        // A media upload is multipart/form-data: read as a browser's FormData would.
        const form = type.startsWith("multipart/form-data")
          ? await multipartFields(Buffer.concat(chunks), type)
          : undefined;
        const answer = cloud.handle({
          path: url.pathname,
          body,
          ...(form ? { form } : {}),
          ...(request.headers.authorization
            ? { authorization: request.headers.authorization }
            : {}),
        });
        response.writeHead(answer.status, { "content-type": "application/json; charset=UTF-8" });
        response.end(JSON.stringify(answer.body));
        return;
      }
      const contentType = request.headers["content-type"] ?? "";
      const answer = graph.handle({
        method: request.method ?? "GET",
        path: url.pathname,
        query: url.searchParams,
        body,
        contentType,
        ...(contentType.startsWith("multipart/form-data")
          ? { form: await multipartFields(Buffer.concat(chunks), contentType) }
          : {}),
        ...(request.headers.authorization ? { authorization: request.headers.authorization } : {}),
      });
      response.writeHead(answer.status, { "content-type": "application/json; charset=UTF-8" });
      response.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((ready) => server.listen(0, "127.0.0.1", ready));
  const { port } = server.address() as AddressInfo;
  base = `http://127.0.0.1:${port}`;
  return {
    url: base,
    media: {
      whatsapp: (id, bytes, mimeType) => void whatsappMedia.set(id, { bytes, mimeType }),
      cdn(name, bytes) {
        cdnFiles.set(name, bytes);
        return `${base}/cdn/${name}`;
      },
      downloads,
    },
    calls: graph.calls,
    sent: graph.sent,
    failNext: (count, plan) => graph.failNext(count, plan),
    sentTo: (psid) => graph.sent.filter((m) => m.recipientId === psid),
    cloud,
    reset: () => {
      graph.reset();
      cloud.reset();
      downloads.length = 0;
    },
    stop: () =>
      new Promise((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
