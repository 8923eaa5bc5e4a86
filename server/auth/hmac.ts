/**
 * HMAC signing keys made from shared secrets (app secrets, auth tokens), kept once made: a
 * webhook's signature is checked on every request, and importing a key costs more than the MAC.
 */

const encoder = new TextEncoder();
const keys = new Map<string, Promise<CryptoKey>>();
/** Secrets are few (one per app or account); past this many, the cache starts over. */
const MAX_KEYS = 100;

/**
 * The HMAC key for `secret` with `hash`.
 *
 * @example
 * const mac = await crypto.subtle.sign("HMAC", await hmacKey("SHA-256", appSecret), body);
 */
export function hmacKey(hash: "SHA-1" | "SHA-256", secret: string): Promise<CryptoKey> {
  const id = `${hash}:${secret}`;
  let key = keys.get(id);
  if (!key) {
    key = crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash }, false, [
      "sign",
    ]);
    if (keys.size >= MAX_KEYS) keys.clear();
    keys.set(id, key);
  }
  return key;
}
