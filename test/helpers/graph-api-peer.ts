import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import {
  createGraphEmulator,
  type FailurePlan,
  type GraphCall,
  type SentMessage,
} from "../../server/node/messenger-simulator/graph.ts";
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
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const url = new URL(request.url ?? "/", "http://127.0.0.1");
      const body = Buffer.concat(chunks).toString("utf8");
      if (cloud.owns(url.pathname)) {
        const answer = cloud.handle({
          path: url.pathname,
          body,
          ...(request.headers.authorization
            ? { authorization: request.headers.authorization }
            : {}),
        });
        response.writeHead(answer.status, { "content-type": "application/json; charset=UTF-8" });
        response.end(JSON.stringify(answer.body));
        return;
      }
      const answer = graph.handle({
        method: request.method ?? "GET",
        path: url.pathname,
        query: url.searchParams,
        body,
        contentType: request.headers["content-type"] ?? "",
        ...(request.headers.authorization ? { authorization: request.headers.authorization } : {}),
      });
      response.writeHead(answer.status, { "content-type": "application/json; charset=UTF-8" });
      response.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((ready) => server.listen(0, "127.0.0.1", ready));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls: graph.calls,
    sent: graph.sent,
    failNext: (count, plan) => graph.failNext(count, plan),
    sentTo: (psid) => graph.sent.filter((m) => m.recipientId === psid),
    cloud,
    reset: () => {
      graph.reset();
      cloud.reset();
    },
    stop: () =>
      new Promise((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
