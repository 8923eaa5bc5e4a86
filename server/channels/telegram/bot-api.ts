import { AppError } from "../../errors.ts";
import { downloadFile } from "../download.ts";
import { splitText } from "../split-text.ts";

/** The Bot API's limit for `sendMessage`'s text (plain text: no entities to parse). */
export const MAX_TEXT = 4096;
/** A 429's `retry_after` waited out within the reply's request when no longer than this. */
const MAX_WAIT_S = 10;
/** One call may take this long before it counts as a transient failure. */
const CALL_TIMEOUT_MS = 15_000;

/** The Bot API's answer: `{ ok: true, result }` or `{ ok: false, error_code, description, parameters }`. */
interface Answer {
  ok?: boolean;
  result?: unknown;
  error_code?: number;
  description?: string;
  parameters?: { retry_after?: number; migrate_to_chat_id?: number };
}

/** What Telegram shows as a photo; other files go as documents. */
const PHOTO_TYPES = new Set(["image/jpeg", "image/png", "image/webp", "image/gif"]);
/** The largest photo and document the Bot API takes by upload. */
const MAX_PHOTO_BYTES = 10 * 1024 * 1024;
const MAX_DOCUMENT_BYTES = 50 * 1024 * 1024;
/** An upload of up to 50 MB is sent within this. */
const UPLOAD_TIMEOUT_MS = 120_000;

/** Whether Telegram takes this file by upload, and why not when it does not. */
export function telegramRefuses(file: { type: string; size: number }): string | null {
  const max = PHOTO_TYPES.has(file.type) ? MAX_PHOTO_BYTES : MAX_DOCUMENT_BYTES;
  return file.size > max ? "too large for Telegram" : null;
}

export interface BotApiOptions {
  /** `TELEGRAM_API_URL`, `https://api.telegram.org` in production. */
  apiUrl: string;
  fetch: typeof fetch;
  /** Attempts per call (1 = no retry) and the first backoff for network and 5xx failures. */
  retry: { attempts: number; baseMs: number };
  /** Waits between attempts; injected so unit tests need not wait. */
  sleep?: (ms: number) => Promise<void>;
}

/** The visitor blocked the bot (403): nothing can reach them in Telegram until they unblock it. */
export class BotBlocked extends AppError {
  constructor(description: string) {
    super(
      "channel_unavailable",
      `The visitor has blocked the bot in Telegram (${description}): reply by email or on the web`,
    );
  }
}

/**
 * A Bot API client: `POST {apiUrl}/bot<token>/<method>` with a JSON body. Network failures and
 * 5xx are retried with jittered backoff; a 429 waits out its `retry_after` (up to 10 s, else
 * `rate_limited` with that wait); a 403 is {@link BotBlocked}; any other refusal is
 * `upstream_failed` carrying Telegram's description.
 *
 * @example
 * const api = botApi({ apiUrl: "https://api.telegram.org", fetch, retry: { attempts: 3, baseMs: 250 } });
 * await api.sendMessage(token, "123456789", "Hello");
 */
export function botApi(options: BotApiOptions) {
  const sleep = options.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));

  /** One method: JSON parameters, or a form when it uploads a file (its boundary set by fetch). */
  async function call<T>(
    token: string,
    method: string,
    body: Record<string, unknown> | FormData,
  ): Promise<T> {
    let last = "no attempt made";
    const form = body instanceof FormData;
    for (let attempt = 1; attempt <= options.retry.attempts; attempt++) {
      let status = 0;
      let answer: Answer = {};
      try {
        const response = await options.fetch(`${options.apiUrl}/bot${token}/${method}`, {
          method: "POST",
          ...(form
            ? { body }
            : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
          signal: AbortSignal.timeout(form ? UPLOAD_TIMEOUT_MS : CALL_TIMEOUT_MS),
        });
        status = response.status;
        answer = ((await response.json().catch(() => ({}))) ?? {}) as Answer;
      } catch (error) {
        last = `could not reach the Bot API: ${error instanceof Error ? error.message : String(error)}`;
      }
      if (status >= 200 && status < 300 && answer.ok === true) return answer.result as T;
      const description = answer.description?.trim() || `Bot API answered HTTP ${status}`;
      const retryAfter = answer.parameters?.retry_after;
      if (status === 429) {
        const wait = Math.max(1, retryAfter ?? 1);
        if (wait > MAX_WAIT_S || attempt === options.retry.attempts) {
          throw new AppError(
            "rate_limited",
            `Telegram asks to wait ${wait} s (${description})`,
            wait,
          );
        }
        await sleep(wait * 1000);
        continue;
      }
      if (status === 403) throw new BotBlocked(description);
      if (status !== 0 && status < 500) {
        throw new AppError("upstream_failed", `Telegram refused ${method}: ${description}`);
      }
      if (status !== 0) last = description;
      if (attempt < options.retry.attempts) {
        await sleep(options.retry.baseMs * 2 ** (attempt - 1) * (0.5 + Math.random()));
      }
    }
    throw new AppError("upstream_failed", `Telegram ${method} failed: ${last}`);
  }

  return {
    /** Sends text to a chat, as several messages in order when over 4,096 characters; answers their ids. */
    async sendMessage(token: string, chatId: string, text: string): Promise<number[]> {
      const ids: number[] = [];
      for (const part of splitText(text, MAX_TEXT)) {
        const message = await call<{ message_id: number }>(token, "sendMessage", {
          chat_id: chatId,
          text: part,
        });
        ids.push(message.message_id);
      }
      return ids;
    },

    /**
     * A file a visitor sent, by its `file_id`: `getFile` names its path, then the bytes come from
     * `/file/bot<token>/<path>` (the path works for an hour). Refused past `maxBytes` before a
     * byte is read when Telegram gives the size, else while reading.
     */
    async downloadFile(token: string, fileId: string, maxBytes: number, tooLarge: string) {
      const file = await call<{ file_path?: string; file_size?: number }>(token, "getFile", {
        file_id: fileId,
      });
      if ((file.file_size ?? 0) > maxBytes) throw new AppError("payload_too_large", tooLarge);
      if (!file.file_path) throw new AppError("upstream_failed", "Telegram gave no file path");
      return downloadFile(
        options.fetch,
        `${options.apiUrl}/file/bot${token}/${file.file_path}`,
        {},
        { maxBytes, tooLarge, platform: "Telegram" },
      );
    },

    /**
     * Sends a file to a chat: a raster image as a photo (Telegram shows it, up to 10 MB), anything
     * else as a document (up to 50 MB).
     */
    async sendFile(
      token: string,
      chatId: string,
      file: { name: string; type: string; bytes: Uint8Array },
    ): Promise<number> {
      const photo = PHOTO_TYPES.has(file.type);
      const form = new FormData();
      form.set("chat_id", chatId);
      const blob = new Blob([file.bytes as Uint8Array<ArrayBuffer>], { type: file.type });
      form.set(photo ? "photo" : "document", blob, file.name);
      const message = await call<{ message_id: number }>(
        token,
        photo ? "sendPhoto" : "sendDocument",
        form,
      );
      return message.message_id;
    },

    /** Points the bot's updates at `url`, with the secret Telegram will send back in a header. */
    setWebhook(token: string, input: { url: string; secret: string }): Promise<boolean> {
      return call<boolean>(token, "setWebhook", {
        url: input.url,
        secret_token: input.secret,
        allowed_updates: ["message", "my_chat_member"],
      });
    },
  };
}

export type BotApi = ReturnType<typeof botApi>;
