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
  /**
   * A file of an MMS as Twilio keeps it: answers its `MediaUrl`
   * (`/2010-04-01/Accounts/<sid>/Messages/<MM…>/Media/<ME…>`), served with the account's Basic auth.
   */
  media(accountSid: string, bytes: Uint8Array, type: string): string;
  /** The media downloads asked for, oldest first (by media sid). */
  mediaDownloads: string[];
  stop(): Promise<void>;
}

export async function startTwilioApiPeer(
  options: Pick<TwilioEmulatorOptions, "accounts">,
): Promise<TwilioApiPeer> {
  const twilio = createTwilioEmulator(options);
  const files = new Map<string, { bytes: Uint8Array; type: string }>();
  const mediaDownloads: string[] = [];
  let n = 0;
  const peer = await servePeer((request) => {
    const media = request.path.match(
      /^\/2010-04-01\/Accounts\/(AC\w+)\/Messages\/MM\w+\/Media\/(ME\w+)$/,
    );
    if (!media) return twilio.handle(request);
    const account = options.accounts.find((a) => a.sid === media[1]);
    const basic = account && `Basic ${btoa(`${account.sid}:${account.authToken}`)}`;
    if (!basic || request.authorization !== basic) {
      return { status: 401, body: { code: 20003, message: "Authenticate", status: 401 } };
    }
    mediaDownloads.push(media[2]!);
    const file = files.get(media[2]!);
    return file
      ? { status: 200, body: file.bytes, contentType: file.type }
      : { status: 404, body: { code: 20404, message: "Not found", status: 404 } };
  });
  return {
    url: peer.url,
    media(accountSid, bytes, type) {
      const sid = `ME${String(++n).padStart(32, "0")}`;
      files.set(sid, { bytes, type });
      return `${peer.url}/2010-04-01/Accounts/${accountSid}/Messages/MM${"0".repeat(32)}/Media/${sid}`;
    },
    mediaDownloads,
    sent: twilio.sent,
    optOut: twilio.optOut,
    failNext: twilio.failNext,
    reset: twilio.reset,
    sentTo: (number) => twilio.sent.filter((m) => m.to === number),
    stop: peer.stop,
  };
}
