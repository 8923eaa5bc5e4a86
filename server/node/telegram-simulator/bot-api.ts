import type { FormFile } from "../phone-simulator/form.ts";

/**
 * An emulation of Telegram's Bot API, as Telegram answers it: `POST /bot<token>/<method>` with a
 * JSON body, `{ ok: true, result }` or `{ ok: false, error_code, description, parameters? }`. The
 * tests' Bot API peer (`test/helpers/telegram-api-peer.ts`) wraps it in its own HTTP server; the
 * demo's Telegram simulator can serve it too. Framework-free: a request in, a status and JSON out.
 */

/** One call, as received, whatever was answered. */
export interface BotCall {
  at: number;
  token: string;
  method: string;
  body: Record<string, unknown>;
  status: number;
  response: unknown;
}

/** A message the bot sent, as the visitor's Telegram would show it. */
export interface BotMessage {
  at: number;
  messageId: number;
  chatId: string;
  /** The text, or a file's caption ("" without one). */
  text: string;
  /** What `sendPhoto` or `sendDocument` sent. */
  file?: { kind: "photo" | "document"; name: string; type: string; bytes: Uint8Array };
}

/** Photos the Bot API takes by upload (a document may be 50 MB). */
const MAX_PHOTO_BYTES = 10 * 1024 * 1024;

/** Telegram's refusal of the next calls instead of their success. */
export interface BotFailure {
  status: number;
  description: string;
  retryAfter?: number;
}

/** Telegram's answer to a bot sending too fast. */
export const TOO_MANY_REQUESTS = (retryAfter: number): BotFailure => ({
  status: 429,
  description: `Too Many Requests: retry after ${retryAfter}`,
  retryAfter,
});
/** Telegram's answer to a bot writing to a visitor who blocked it. */
export const BLOCKED: BotFailure = {
  status: 403,
  description: "Forbidden: bot was blocked by the user",
};

/** The Bot API's limit for a message's text. */
const MAX_TEXT = 4096;

export interface BotApiEmulatorOptions {
  /** Bot tokens the emulated API accepts (others get 401 Unauthorized, as Telegram answers). */
  tokens: string[];
  onSent?: (message: BotMessage) => void;
}

const refusal = (failure: BotFailure) => ({
  status: failure.status,
  body: {
    ok: false,
    error_code: failure.status,
    description: failure.description,
    ...(failure.retryAfter !== undefined
      ? { parameters: { retry_after: failure.retryAfter } }
      : {}),
  },
});

/**
 * @example
 * const bot = createBotApiEmulator({ tokens: ["123:abc"] });
 * bot.handle({ path: "/bot123:abc/sendMessage", body: '{"chat_id":1,"text":"Hi"}' });
 */
export function createBotApiEmulator(options: BotApiEmulatorOptions) {
  const calls: BotCall[] = [];
  const sent: BotMessage[] = [];
  const failures: BotFailure[] = [];
  const webhooks: Array<{ token: string; url: string; secret?: string }> = [];
  /** Files visitors sent, by `file_id`: `getFile` names their path, `/file/bot…` serves them. */
  const files = new Map<string, { path: string; bytes: Uint8Array }>();
  let nextId = 1000;

  /** Keeps a message the bot sent and answers it as Telegram does, with what it carries. */
  function delivered(token: string, message: BotMessage, carries: Record<string, unknown>) {
    sent.push(message);
    options.onSent?.(message);
    return {
      status: 200,
      body: {
        ok: true,
        result: {
          message_id: message.messageId,
          from: { id: Number(token.split(":")[0]), is_bot: true, first_name: "Bot" },
          chat: { id: Number(message.chatId), type: "private" },
          date: Math.floor(message.at / 1000),
          ...carries,
        },
      },
    };
  }

  function answer(
    token: string,
    method: string,
    body: Record<string, unknown>,
    uploads: Record<string, FormFile | string> = {},
  ) {
    if (!options.tokens.includes(token)) {
      return refusal({ status: 401, description: "Unauthorized" });
    }
    const failure = failures.shift();
    if (failure) return refusal(failure);
    if (method === "sendMessage") {
      const text = typeof body.text === "string" ? body.text : "";
      const chatId = String(body.chat_id ?? "");
      if (!chatId) return refusal({ status: 400, description: "Bad Request: chat not found" });
      if (!text.trim())
        return refusal({ status: 400, description: "Bad Request: message text is empty" });
      if (text.length > MAX_TEXT) {
        return refusal({ status: 400, description: "Bad Request: message is too long" });
      }
      return delivered(token, { at: Date.now(), messageId: nextId++, chatId, text }, { text });
    }
    if (method === "sendPhoto" || method === "sendDocument") {
      const kind = method === "sendPhoto" ? "photo" : "document";
      const upload = uploads[kind];
      const chatId = String(body.chat_id ?? "");
      if (!chatId) return refusal({ status: 400, description: "Bad Request: chat not found" });
      if (!upload || typeof upload === "string") {
        return refusal({
          status: 400,
          description: `Bad Request: there is no ${kind} in the request`,
        });
      }
      if (kind === "photo" && upload.bytes.length > MAX_PHOTO_BYTES) {
        return refusal({ status: 400, description: "Bad Request: PHOTO_INVALID_DIMENSIONS" });
      }
      const message: BotMessage = {
        at: Date.now(),
        messageId: nextId++,
        chatId,
        text: typeof body.caption === "string" ? body.caption : "",
        file: { kind, ...upload },
      };
      const fileId = `F${nextId++}`;
      const file = { file_id: fileId, file_unique_id: `u${fileId}` };
      return delivered(
        token,
        message,
        kind === "photo"
          ? { photo: [{ ...file, width: 1, height: 1 }] }
          : { document: { ...file, file_name: upload.name } },
      );
    }
    if (method === "getFile") {
      const file = files.get(String(body.file_id ?? ""));
      if (!file) return refusal({ status: 400, description: "Bad Request: invalid file_id" });
      return {
        status: 200,
        body: {
          ok: true,
          result: {
            file_id: String(body.file_id),
            file_unique_id: `u${String(body.file_id)}`,
            file_size: file.bytes.length,
            file_path: file.path,
          },
        },
      };
    }
    if (method === "setWebhook") {
      const url = typeof body.url === "string" ? body.url : "";
      webhooks.push({
        token,
        url,
        ...(typeof body.secret_token === "string" ? { secret: body.secret_token } : {}),
      });
      return { status: 200, body: { ok: true, result: true, description: "Webhook was set" } };
    }
    return refusal({ status: 404, description: "Not Found" });
  }

  return {
    calls,
    sent,
    webhooks,
    /** The next `count` calls fail with `failure` (Telegram's 429, a blocked bot, a 502). */
    failNext(count: number, failure: BotFailure): void {
      for (let i = 0; i < count; i++) failures.push(failure);
    },
    /** A file as a visitor's message brings it: its `file_id` goes into the update. */
    addFile(bytes: Uint8Array, path: string): string {
      const fileId = `F${nextId++}`;
      files.set(fileId, { path, bytes });
      return fileId;
    },
    handle(request: { path: string; body: string; form?: Record<string, FormFile | string> }): {
      status: number;
      body: unknown;
      contentType?: string;
    } {
      // A file's download: `/file/bot<token>/<file_path>`, the bytes themselves.
      const download = request.path.match(/^\/file\/bot([^/]+)\/(.+)$/);
      if (download) {
        const file = [...files.values()].find((f) => f.path === download[2]);
        if (!options.tokens.includes(download[1]!) || !file) {
          return refusal({ status: 404, description: "Not Found" });
        }
        return { status: 200, body: file.bytes, contentType: "application/octet-stream" };
      }
      const match = request.path.match(/^\/bot([^/]+)\/([A-Za-z]+)$/);
      if (!match) return refusal({ status: 404, description: "Not Found" });
      // A multipart call's text fields are its parameters; its files go beside them.
      let body: Record<string, unknown> = {};
      if (request.form) {
        for (const [name, value] of Object.entries(request.form)) {
          if (typeof value === "string") body[name] = value;
        }
      } else {
        try {
          body = request.body ? (JSON.parse(request.body) as Record<string, unknown>) : {};
        } catch {
          return refusal({ status: 400, description: "Bad Request: can't parse JSON" });
        }
      }
      const [, token = "", method = ""] = match;
      const result = answer(token, method, body, request.form);
      calls.push({
        at: Date.now(),
        token,
        method,
        body,
        status: result.status,
        response: result.body,
      });
      return result;
    },
    reset(): void {
      calls.length = 0;
      sent.length = 0;
      failures.length = 0;
      webhooks.length = 0;
      files.clear();
    },
  };
}

export type BotApiEmulator = ReturnType<typeof createBotApiEmulator>;
