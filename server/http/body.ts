import type { Context, MiddlewareHandler } from "hono";
import { AppError } from "../errors.ts";

/** Strict: a byte that is not UTF-8 throws instead of turning into U+FFFD. */
const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Parses a JSON body from its bytes, the one way every route and webhook reads JSON. Invalid
 * UTF-8 is refused (400 `invalid_json`) rather than stored with U+FFFD in place of the bytes,
 * which the sender would never learn about; a leading byte order mark is dropped as
 * `Response.json()` drops it. Web APIs only: it runs on workerd too.
 *
 * @example
 * const raw = new Uint8Array(await c.req.arrayBuffer()); // signed bytes stay at hand
 * const body = parseJsonBytes(raw);
 */
export function parseJsonBytes(bytes: ArrayBuffer | Uint8Array): unknown {
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw new AppError("invalid_json", "The body is not valid UTF-8 JSON");
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError("invalid_json", "The body is not valid JSON");
  }
}

/** Reads the request's body and parses it with {@link parseJsonBytes}. */
export async function readJsonBody(c: Context): Promise<unknown> {
  return parseJsonBytes(await c.req.arrayBuffer());
}

/**
 * Reads a JSON object body: 415 for another media type, 400 for broken JSON, bytes that are not
 * UTF-8, or a non-object.
 */
export async function readJson(c: Context): Promise<Record<string, unknown>> {
  const type = c.req.header("content-type") ?? "";
  if (!/^application\/(.+\+)?json\b/i.test(type)) {
    throw new AppError("unsupported_media_type", "Send the body as application/json");
  }
  const body = await readJsonBody(c);
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new AppError("bad_request", "The body must be a JSON object");
  }
  return body as Record<string, unknown>;
}

/** Whether the request came with body bytes (a POST with `Content-Length: 0` did not). */
function sentBody(request: Request): boolean {
  if (request.headers.has("transfer-encoding")) return true;
  return Number(request.headers.get("content-length") ?? 0) > 0;
}

/**
 * Answers `Connection: close` when the body was refused before (or while) it was read: a 413, or
 * a 401/404/415 that never looked at it. A runtime does not keep a connection with unread bytes
 * on it for long (@hono/node-server drains it briefly, then destroys the socket: a 2 MB body is
 * enough), and without the header a keep-alive client sends its next request down that dying
 * connection and loses it (`UND_ERR_SOCKET`). On Node the header makes Node close after the
 * answer. workerd drops the header (it owns the connection) and closes such a connection itself.
 */
export const closeUnreadBodies: MiddlewareHandler = async (c, next) => {
  const request = c.req.raw; // the runtime's own: bodyLimit may swap `c.req.raw` for a copy
  await next();
  if (c.res.status === 413 || (sentBody(request) && !request.bodyUsed)) {
    c.header("Connection", "close");
  }
};

/**
 * Reads a raw body of at most `max` bytes: 413 `payload_too_large` as soon as the declared length
 * or the bytes read pass it (a lying `Content-Length` is caught by counting), never buffering more.
 *
 * @example
 * const bytes = await readBytesUpTo(c, 10 * 1024 * 1024, "Files are limited to 10 MB here");
 */
export function readBytesUpTo(c: Context, max: number, tooLarge: string): Promise<Uint8Array> {
  return readUpTo(c.req.raw, max, tooLarge);
}

/**
 * A request's or a response's body, at most `max` bytes (see {@link readBytesUpTo}): an upload,
 * or a file a channel downloads from its platform.
 *
 * @example
 * const bytes = await readUpTo(await fetch(mediaUrl), maxBytes, "Files are limited to 10 MB here");
 */
export async function readUpTo(
  message: Request | Response,
  max: number,
  tooLarge: string,
): Promise<Uint8Array> {
  if (Number(message.headers.get("content-length") ?? 0) > max) {
    await message.body?.cancel();
    throw new AppError("payload_too_large", tooLarge);
  }
  const body = message.body;
  if (!body) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > max) {
      await reader.cancel();
      throw new AppError("payload_too_large", tooLarge);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.length;
  }
  return bytes;
}
