import {
  createTwilioEmulator,
  type TwilioEmulator,
  type TwilioEmulatorOptions,
} from "../../server/node/sms-simulator/twilio-api.ts";
import { servePeer } from "./peer-server.ts";

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
  const peer = await servePeer((request) => twilio.handle(request));
  return {
    url: peer.url,
    sent: twilio.sent,
    optOut: twilio.optOut,
    failNext: twilio.failNext,
    reset: twilio.reset,
    sentTo: (number) => twilio.sent.filter((m) => m.to === number),
    stop: peer.stop,
  };
}
