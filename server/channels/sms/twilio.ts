import { AppError } from "../../errors.ts";
import { downloadFile } from "../download.ts";

/**
 * Twilio's Programmable Messaging as the SMS channel calls it: `POST {apiUrl}/2010-04-01/
 * Accounts/<AccountSid>/Messages.json`, form-encoded, HTTP Basic auth with the account SID and
 * auth token. Twilio's envelope `{ code, message, more_info, status }` is read; network
 * failures, 429 and 5xx are retried with jittered backoff (a lost answer may, rarely, send a text
 * twice: Twilio's API has no idempotency key); a refusal is not retried.
 */

/** One call may take this long before it counts as a transient failure. */
const CALL_TIMEOUT_MS = 15_000;
/** Twilio's code for a recipient who texted STOP to this sender. */
export const UNSUBSCRIBED_CODE = 21610;

export interface TwilioAccount {
  accountSid: string;
  authToken: string;
}

export interface TwilioOptions {
  /** `TWILIO_API_URL`, `https://api.twilio.com` in production. */
  apiUrl: string;
  fetch: typeof fetch;
  /** Attempts per call (1 = no retry) and the first backoff. */
  retry: { attempts: number; baseMs: number };
  /** Waits between attempts; injected so unit tests need not wait. */
  sleep?: (ms: number) => Promise<void>;
}

/** Twilio's error envelope. */
interface TwilioError {
  code?: number;
  message?: string;
  more_info?: string;
}

/** The recipient texted STOP: Twilio sends nothing to them from this number until START. */
export class SmsUnsubscribed extends AppError {
  constructor(fallbacks: string) {
    super(
      "channel_unavailable",
      `The visitor has opted out of texts from this number (STOP): ${fallbacks}`,
    );
  }
}

/**
 * The client.
 *
 * @example
 * const sms = twilioClient({ apiUrl: "https://api.twilio.com", fetch, retry: { attempts: 3, baseMs: 250 } });
 * const sid = await sms.send(account, { from: "+3197010000000", to: "+31612345678", body: "Hi" }, fallbacks);
 */
export function twilioClient(options: TwilioOptions) {
  const sleep = options.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  const base = options.apiUrl.replace(/\/+$/, "");

  return {
    /**
     * A file of an MMS, at its `MediaUrl` (Twilio's own host: the account's credentials go
     * along, and only there; Twilio may redirect to a signed link of its storage).
     */
    downloadMedia(
      account: TwilioAccount,
      url: string,
      maxBytes: number,
      tooLarge: string,
    ): Promise<Uint8Array> {
      const ours = new URL(url).origin === new URL(base).origin;
      if (!ours && !url.startsWith("https://")) {
        return Promise.reject(new AppError("upstream_failed", "Twilio's media link is not https"));
      }
      const authorization = `Basic ${btoa(`${account.accountSid}:${account.authToken}`)}`;
      return downloadFile(options.fetch, url, ours ? { headers: { authorization } } : {}, {
        maxBytes,
        tooLarge,
        platform: "Twilio",
      });
    },

    /** Sends one text (at most 1,600 characters); answers its `MessageSid`. */
    async send(
      account: TwilioAccount,
      message: { from: string; to: string; body: string; statusCallback?: string },
      fallbacks: string,
    ): Promise<string> {
      const form = new URLSearchParams({ To: message.to, From: message.from, Body: message.body });
      if (message.statusCallback) form.set("StatusCallback", message.statusCallback);
      const authorization = `Basic ${btoa(`${account.accountSid}:${account.authToken}`)}`;
      const url = `${base}/2010-04-01/Accounts/${encodeURIComponent(account.accountSid)}/Messages.json`;
      let last = "no attempt made";
      for (let attempt = 1; attempt <= options.retry.attempts; attempt++) {
        let status = 0;
        let answer: TwilioError & { sid?: string } = {};
        try {
          const response = await options.fetch(url, {
            method: "POST",
            headers: { authorization, "content-type": "application/x-www-form-urlencoded" },
            body: form.toString(),
            signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
          });
          status = response.status;
          answer = ((await response.json().catch(() => ({}))) ?? {}) as typeof answer;
        } catch (error) {
          last = `could not reach Twilio: ${error instanceof Error ? error.message : String(error)}`;
        }
        if (status >= 200 && status < 300 && typeof answer.sid === "string") return answer.sid;
        const words = `${answer.message?.trim() || `Twilio answered HTTP ${status}`}${answer.code ? ` (Twilio error ${answer.code})` : ""}`;
        if (answer.code === UNSUBSCRIBED_CODE) throw new SmsUnsubscribed(fallbacks);
        if (status !== 0 && status !== 429 && status < 500) {
          throw new AppError("upstream_failed", `Twilio refused the text: ${words}`);
        }
        if (status !== 0) last = words;
        if (attempt < options.retry.attempts) {
          await sleep(options.retry.baseMs * 2 ** (attempt - 1) * (0.5 + Math.random()));
        }
      }
      throw new AppError("upstream_failed", `Twilio did not take the text: ${last}`);
    },
  };
}

export type TwilioClient = ReturnType<typeof twilioClient>;
