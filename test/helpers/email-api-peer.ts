import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * Postmark's email API played on 127.0.0.1: `POST /email` with `X-Postmark-Server-Token`, answered
 * as Postmark documents it (`{ To, SubmittedAt, MessageID, ErrorCode: 0, Message: "OK" }`; a
 * wrong token gets 401 with `ErrorCode: 10`; a missing field 422 with `ErrorCode: 300`). It can
 * fail the next calls with 500 to exercise retries.
 *
 * @example
 * const peer = await startEmailApiPeer({ serverToken: "token" });
 * const server = await startTestServer({ POSTMARK_SERVER_TOKEN: "token", EMAIL_API_URL: peer.url });
 */
export interface ApiCall {
  path: string;
  token: string | undefined;
  body: Record<string, unknown>;
  status: number;
}

export interface EmailApiPeer {
  url: string;
  calls: ApiCall[];
  /** Accepted emails' bodies. */
  sent: Array<Record<string, unknown>>;
  failNext(count: number): void;
  stop(): Promise<void>;
}

export async function startEmailApiPeer(options: { serverToken: string }): Promise<EmailApiPeer> {
  const calls: ApiCall[] = [];
  const sent: Array<Record<string, unknown>> = [];
  let failures = 0;
  let ids = 0;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const token = request.headers["x-postmark-server-token"] as string | undefined;
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>;
      } catch {
        // answered 422 below
      }
      const answer = (status: number, json: Record<string, unknown>) => {
        calls.push({ path: request.url ?? "", token, body, status });
        response.writeHead(status, { "content-type": "application/json" });
        response.end(JSON.stringify(json));
      };
      if (request.method !== "POST" || request.url !== "/email") {
        return answer(404, { ErrorCode: 404, Message: "Not found" });
      }
      if (token !== options.serverToken) {
        return answer(401, { ErrorCode: 10, Message: "Bad or missing Server API token." });
      }
      if (failures > 0) {
        failures -= 1;
        return answer(500, { ErrorCode: 500, Message: "Internal server error" });
      }
      if (!body.From || !body.To || !(body.TextBody || body.HtmlBody)) {
        return answer(422, { ErrorCode: 300, Message: "Invalid email request" });
      }
      sent.push(body);
      const id = `b7bc2f4a-e38e-4336-af7d-e6c39${String(++ids).padStart(7, "0")}`;
      return answer(200, {
        To: body.To,
        SubmittedAt: new Date().toISOString(),
        MessageID: id,
        ErrorCode: 0,
        Message: "OK",
      });
    });
  });
  await new Promise<void>((ready) => server.listen(0, "127.0.0.1", ready));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    sent,
    failNext: (count) => {
      failures = count;
    },
    stop: () => new Promise<void>((done) => server.close(() => done())),
  };
}
