import { randomBytes } from "node:crypto";

/**
 * An emulation of Twilio's Programmable Messaging send endpoint as Twilio answers it
 * (`POST /2010-04-01/Accounts/<AccountSid>/Messages.json`, form-encoded, HTTP Basic auth with
 * the account SID and auth token): the tests' peer and the demo's SMS simulator run it. It keeps
 * Twilio's rules that matter to us: E.164 numbers, the 1,600-character body limit, 21610 for a
 * number that texted STOP to the sender, and the error envelope `{ code, message, more_info,
 * status }`. Framework-free: a request in, a status and JSON out.
 */

/** A text the account sent, as the recipient's phone would show it. */
export interface TwilioMessage {
  at: number;
  sid: string;
  from: string;
  to: string;
  body: string;
  statusCallback?: string;
}

/** A failure to answer instead of sending: Twilio's HTTP status and error code. */
export interface TwilioFailure {
  status: number;
  code: number;
  message: string;
}

export const TOO_MANY_REQUESTS: TwilioFailure = {
  status: 429,
  code: 20429,
  message: "Too Many Requests",
};
export const SERVER_ERROR: TwilioFailure = {
  status: 503,
  code: 20500,
  message: "Service Unavailable",
};

export interface TwilioEmulatorOptions {
  accounts: Array<{ sid: string; authToken: string; numbers: string[] }>;
  onSent?: (message: TwilioMessage) => void;
}

/** Twilio's limit for `Body`, in characters. */
const MAX_BODY = 1600;
const E164 = /^\+[1-9]\d{6,14}$/;

const refusal = (failure: TwilioFailure) => ({
  status: failure.status,
  body: {
    code: failure.code,
    message: failure.message,
    more_info: `https://www.twilio.com/docs/errors/${failure.code}`,
    status: failure.status,
  },
});

/**
 * Creates the emulator.
 *
 * @example
 * const twilio = createTwilioEmulator({ accounts: [{ sid: "AC…", authToken: "…", numbers: ["+3197010000000"] }] });
 * twilio.handle({ path: "/2010-04-01/Accounts/AC…/Messages.json", authorization: "Basic …", body: "To=%2B31…&From=…&Body=Hi" });
 */
export function createTwilioEmulator(options: TwilioEmulatorOptions) {
  const sent: TwilioMessage[] = [];
  const failures: TwilioFailure[] = [];
  /** Numbers that texted STOP, by sender. */
  const stopped = new Set<string>();

  function answer(request: { path: string; authorization?: string; body: string }) {
    const route = request.path.match(/^\/2010-04-01\/Accounts\/(AC[0-9a-f]{32})\/Messages\.json$/);
    const account = options.accounts.find((a) => a.sid === route?.[1]);
    const credentials = request.authorization?.match(/^Basic\s+(\S+)$/i)?.[1];
    const [user, password] = credentials
      ? Buffer.from(credentials, "base64").toString("utf8").split(":")
      : [];
    if (!account || user !== account.sid || password !== account.authToken) {
      return refusal({ status: 401, code: 20003, message: "Authenticate" });
    }
    const failure = failures.shift();
    if (failure) return refusal(failure);
    const form = new URLSearchParams(request.body);
    const to = form.get("To") ?? "";
    const from = form.get("From") ?? "";
    const body = form.get("Body") ?? "";
    if (!E164.test(to)) {
      return refusal({
        status: 400,
        code: 21211,
        message: `The 'To' number ${to} is not a valid phone number.`,
      });
    }
    if (!account.numbers.includes(from)) {
      return refusal({
        status: 400,
        code: 21606,
        message: `The From phone number ${from} is not a valid, SMS-capable inbound phone number or short code for your account.`,
      });
    }
    if (!body) return refusal({ status: 400, code: 21602, message: "Message body is required." });
    if ([...body].length > MAX_BODY) {
      return refusal({
        status: 400,
        code: 21617,
        message: "The concatenated message body exceeds the 1600 character limit.",
      });
    }
    if (stopped.has(`${from}>${to}`)) {
      return refusal({
        status: 400,
        code: 21610,
        message: "Attempt to send to unsubscribed recipient",
      });
    }
    const message: TwilioMessage = {
      at: Date.now(),
      sid: `SM${randomBytes(16).toString("hex")}`,
      from,
      to,
      body,
      ...(form.get("StatusCallback") ? { statusCallback: form.get("StatusCallback")! } : {}),
    };
    sent.push(message);
    options.onSent?.(message);
    return {
      status: 201,
      body: {
        sid: message.sid,
        account_sid: account.sid,
        from,
        to,
        body,
        status: "queued",
        direction: "outbound-api",
        api_version: "2010-04-01",
        date_created: new Date(message.at).toUTCString(),
        error_code: null,
        error_message: null,
        uri: `/2010-04-01/Accounts/${account.sid}/Messages/${message.sid}.json`,
      },
    };
  }

  return {
    /** Every text accepted, oldest first. */
    sent,
    /** Whether a path is this API's. */
    owns: (path: string) => path.startsWith("/2010-04-01/Accounts/"),
    handle: answer,
    /** The recipient texted STOP to `from` (Twilio then refuses sends with 21610), or START. */
    optOut(from: string, to: string, out = true): void {
      if (out) stopped.add(`${from}>${to}`);
      else stopped.delete(`${from}>${to}`);
    },
    /** The next `count` calls fail with `failure`. */
    failNext(count: number, failure: TwilioFailure = SERVER_ERROR): void {
      for (let i = 0; i < count; i++) failures.push(failure);
    },
    reset(): void {
      sent.length = 0;
      failures.length = 0;
      stopped.clear();
    },
  };
}

export type TwilioEmulator = ReturnType<typeof createTwilioEmulator>;
