import { AppError } from "../errors.ts";
import { equalBytes, fromBase64Url, toBase64Url } from "./bytes.ts";
import type { KeyRing } from "./keys.ts";

/**
 * The signature of an attachment's download link (`GET /v1/attachments/:id?sig=<expiry>.<mac>`):
 * an HMAC of the attachment's id and the link's expiry with the key ring's first secret (any
 * secret of the ring verifies, for rotation). A link names one file until it expires: a changed
 * id, expiry or MAC opens nothing, and a link shared after its time is refused.
 */

/** How long an event's download link works: long enough to read a thread, short enough to leak little. */
export const ATTACHMENT_LINK_TTL_S = 7 * 86_400;
const MAC_BYTES = 16;
const encoder = new TextEncoder();

async function mac(key: CryptoKey, id: string, expiresAt: number): Promise<Uint8Array> {
  // "attachment:" keeps these MACs apart from handles', made with the same secrets.
  const data = encoder.encode(`attachment:${id}:${expiresAt}`);
  return new Uint8Array(await crypto.subtle.sign("HMAC", key, data), 0, MAC_BYTES);
}

/**
 * The `sig` of a link to attachment `id`, valid `ttlSeconds` from `now` (ms).
 *
 * @example
 * const url = `${publicUrl}/v1/attachments/${id}?sig=${await signAttachment(ring, id, now())}`;
 */
export async function signAttachment(
  ring: KeyRing,
  id: string,
  now: number,
  ttlSeconds = ATTACHMENT_LINK_TTL_S,
): Promise<string> {
  const signer = ring.macKeys[0];
  if (!signer) throw new TypeError("Key ring has no secrets");
  const expiresAt = Math.floor(now / 1000) + ttlSeconds;
  return `${expiresAt}.${toBase64Url(await mac(signer, id, expiresAt))}`;
}

/**
 * Checks a link's `sig` for attachment `id` at `now` (ms): `unauthorized` when it is not this
 * file's, `token_expired` when it was and its time has passed.
 *
 * @example
 * await verifyAttachment(ring, c.req.param("id"), c.req.query("sig"), now());
 */
export async function verifyAttachment(
  ring: KeyRing,
  id: string,
  sig: string | undefined,
  now: number,
): Promise<void> {
  const match = sig?.match(/^(\d{1,10})\.([A-Za-z0-9_-]{22})$/);
  if (!match) throw new AppError("unauthorized", "This download link is not valid");
  const expiresAt = Number(match[1]);
  const tag = fromBase64Url(match[2]!);
  // One spelling per MAC: the last character's spare bits must be the canonical zeros.
  const canonical = toBase64Url(tag) === match[2];
  let authentic = false;
  // Every secret is tried without stopping early: rotation keeps old links valid.
  for (const key of ring.macKeys) {
    if (equalBytes(await mac(key, id, expiresAt), tag)) authentic = true;
  }
  if (!authentic || !canonical)
    throw new AppError("unauthorized", "This download link is not valid");
  if (expiresAt <= Math.floor(now / 1000)) {
    throw new AppError(
      "token_expired",
      "This download link has expired: open the conversation again for a new one",
    );
  }
}
