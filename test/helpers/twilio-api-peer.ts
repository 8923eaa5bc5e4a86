import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import {
  createTwilioEmulator,
  type TwilioEmulator,
  type TwilioEmulatorOptions,
} from "../../server/node/sms-simulator/twilio-api.ts";

/**
 * Twilio's REST API, played on 127.0.0.1 for the tests: the emulator of
 * `server/node/sms-simulator/twilio-api.ts` behind a plain `node:http` server, at Twilio's paths
 * (`/2010-04-01/Accounts/<sid>/Messages.json`, Basic auth).
 *
 * @example
 * const twilio = await startTwilioApiPeer({ accounts: [{ sid, authToken, numbers: [from] }] });
 * const server = await startTestServer({ TWILIO_API_URL: twilio.url, ... });
 */
export interface TwilioApiPeer extends Omit<TwilioEmulator, "handle" | "owns"> {
  url: string;
  /** Texts sent to one number, oldest first. */
  sentTo(number: string): TwilioEmulator["sent"];
  stop(): Promise<void>;
}

export async function startTwilioApiPeer(
  options: Pick<TwilioEmulatorOptions, "accounts">,
): Promise<TwilioApiPeer> {
  const twilio = createTwilioEmulator(options);
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const url = new URL(request.url ?? "/", "http://127.0.0.1");
      const { status, body } = twilio.handle({
        path: url.pathname,
        ...(request.headers.authorization ? { authorization: request.headers.authorization } : {}),
        body: Buffer.concat(chunks).toString("utf8"),
      });
      response.writeHead(status, { "content-type": "application/json" });
      response.end(JSON.stringify(body));
    });
  });
  await new Promise<void>((ready) => server.listen(0, "127.0.0.1", ready));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    sent: twilio.sent,
    optOut: twilio.optOut,
    failNext: twilio.failNext,
    reset: twilio.reset,
    sentTo: (number) => twilio.sent.filter((m) => m.to === number),
    stop: () =>
      new Promise((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
