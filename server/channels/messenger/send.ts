import { AppError } from "../../errors.ts";
import { splitText } from "../split-text.ts";
import type { SendPolicy } from "./window.ts";

/** Meta's limit for `message.text`. */
export const MAX_TEXT = 2000;

/** Graph error codes Meta documents as temporary: unknown, service, throttling, app limit, rate. */
const TRANSIENT_CODES = new Set([1, 2, 4, 17, 341, 613]);
/** Meta's subcode for a message sent outside the allowed window. */
const OUTSIDE_WINDOW_SUBCODE = 2018278;
/** One attempt may take this long before it counts as a transient failure. */
const ATTEMPT_TIMEOUT_MS = 15_000;

/** Meta's error shape: `{ error: { message, type, code, error_subcode, is_transient, fbtrace_id } }`. */
export interface GraphError {
  message?: string;
  type?: string;
  code?: number;
  error_subcode?: number;
  is_transient?: boolean;
  fbtrace_id?: string;
}

export interface SendClientOptions {
  graphApiUrl: string;
  graphVersion: string;
  fetch: typeof fetch;
  retry: { attempts: number; baseMs: number };
  /** Waits between attempts; injected so unit tests need not wait. */
  sleep?: (ms: number) => Promise<void>;
}

export interface SendInput {
  accessToken: string;
  psid: string;
  text: string;
  policy: SendPolicy;
}

/** What Meta answered, one message id per part sent. */
export interface SendResult {
  messageIds: string[];
}

class Attempt extends Error {
  constructor(
    message: string,
    readonly transient: boolean,
    readonly graph?: GraphError,
  ) {
    super(message);
  }
}

/** Whether Meta says trying again may work. */
export function isTransient(status: number, error: GraphError | undefined): boolean {
  if (error?.is_transient === true) return true;
  if (error?.code !== undefined && TRANSIENT_CODES.has(error.code)) return true;
  return status >= 500 || status === 429;
}

/** The agent-facing words for a Graph error: Meta's message and its codes. */
function describe(error: GraphError | undefined, status: number): string {
  const message = error?.message?.trim() || `Graph API answered HTTP ${status}`;
  const codes = [error?.code, error?.error_subcode].filter((c) => c !== undefined).join("/");
  return codes ? `${message} (Graph error ${codes})` : message;
}

/**
 * A Send API client: `POST {graphApiUrl}/{version}/me/messages?access_token=…` with
 * `{ recipient: { id }, messaging_type, tag?, message: { text } }`. Text over 2,000 characters
 * goes as several messages, in order. Transient failures (network, timeouts, 5xx, `is_transient`,
 * throttling codes) are retried with jittered exponential backoff; a permanent one, or the last
 * transient one, throws `AppError("upstream_failed")` carrying Meta's message, and a message
 * Meta refuses as outside its window throws `channel_unavailable`.
 *
 * Retrying a request whose answer was lost can, rarely, deliver a part twice: the Send API has
 * no idempotency key. Nothing is retried after Meta answered a permanent error.
 *
 * @example
 * const client = sendClient({ graphApiUrl, graphVersion: "v21.0", fetch, retry: { attempts: 3, baseMs: 250 } });
 * await client.send({ accessToken, psid, text: "Hi", policy: { messagingType: "RESPONSE" } });
 */
export function sendClient(options: SendClientOptions) {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const endpoint = `${options.graphApiUrl.replace(/\/+$/, "")}/${options.graphVersion}/me/messages`;

  async function attempt(accessToken: string, body: string): Promise<string> {
    let response: Response;
    try {
      response = await options.fetch(
        `${endpoint}?access_token=${encodeURIComponent(accessToken)}`,
        {
          method: "POST",
          headers: { "content-type": "application/json" },
          body,
          signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
        },
      );
    } catch (error) {
      // The URL carries the token: the error's own message is not repeated.
      const why = (error as Error).name === "TimeoutError" ? "timed out" : "network error";
      throw new Attempt(`Messenger could not be reached (${why})`, true);
    }
    let answer: unknown;
    try {
      answer = await response.json();
    } catch {
      answer = undefined;
    }
    const json = (typeof answer === "object" && answer !== null ? answer : {}) as {
      error?: GraphError;
      message_id?: unknown;
    };
    if (response.ok && !json.error) {
      return typeof json.message_id === "string" ? json.message_id : "";
    }
    const graph = typeof json.error === "object" && json.error !== null ? json.error : undefined;
    throw new Attempt(describe(graph, response.status), isTransient(response.status, graph), graph);
  }

  async function sendPart(accessToken: string, body: string): Promise<string> {
    const attempts = Math.max(1, options.retry.attempts);
    for (let i = 1; ; i++) {
      try {
        return await attempt(accessToken, body);
      } catch (error) {
        const failed = error as Attempt;
        if (!failed.transient || i >= attempts) throw failed;
        const backoff = options.retry.baseMs * 2 ** (i - 1);
        await sleep(backoff / 2 + Math.random() * (backoff / 2));
      }
    }
  }

  return {
    async send(input: SendInput): Promise<SendResult> {
      const parts = splitText(input.text, MAX_TEXT);
      const messageIds: string[] = [];
      for (const [index, text] of parts.entries()) {
        const body = JSON.stringify({
          recipient: { id: input.psid },
          messaging_type: input.policy.messagingType,
          ...(input.policy.messagingType === "MESSAGE_TAG" ? { tag: input.policy.tag } : {}),
          message: { text },
        });
        try {
          messageIds.push(await sendPart(input.accessToken, body));
        } catch (error) {
          const failed = error as Attempt;
          const sent = index > 0 ? ` (${index} of ${parts.length} parts were sent)` : "";
          if (failed.graph?.error_subcode === OUTSIDE_WINDOW_SUBCODE) {
            throw new AppError(
              "channel_unavailable",
              `Messenger refused the reply as outside its window: ${failed.message}${sent}. Continue by email`,
            );
          }
          throw new AppError("upstream_failed", `${failed.message}${sent}`);
        }
      }
      return { messageIds };
    },
  };
}

export type SendClient = ReturnType<typeof sendClient>;
