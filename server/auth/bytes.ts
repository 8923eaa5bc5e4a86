/**
 * Byte helpers the auth modules share, on Web APIs only (btoa/atob), so they run on workerd too.
 */

const textEncoder = new TextEncoder();

/**
 * Compares two byte arrays in time that depends only on their lengths, so a MAC or password hash
 * check does not reveal how many leading bytes matched.
 *
 * @example
 * equalBytes(new Uint8Array([1, 2]), new Uint8Array([1, 2])); // true
 */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

/**
 * Encodes bytes as base64url without padding (RFC 4648 §5).
 *
 * @example
 * toBase64Url(new Uint8Array([251, 255])); // "-_8"
 */
export function toBase64Url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/**
 * Decodes base64url with or without padding; throws a `TypeError` on anything else, because
 * callers decode configuration and stored hashes, where bad input is a setup mistake.
 *
 * @example
 * fromBase64Url("-_8"); // Uint8Array [251, 255]
 */
export function fromBase64Url(text: string): Uint8Array<ArrayBuffer> {
  const bare = text.replace(/=+$/, "");
  if (!/^[A-Za-z0-9_-]*$/.test(bare) || bare.length % 4 === 1) {
    throw new TypeError("Not base64url text");
  }
  const binary = atob(bare.replace(/-/g, "+").replace(/_/g, "/"));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/**
 * Encodes bytes as standard base64 with padding (RFC 4648 §4), as Standard Webhooks signs.
 *
 * @example
 * toBase64(new Uint8Array([251, 255])); // "+/8="
 */
export function toBase64(bytes: Uint8Array): string {
  return toBase64Url(bytes)
    .replace(/-/g, "+")
    .replace(/_/g, "/")
    .padEnd(Math.ceil((bytes.length * 4) / 3 / 4) * 4, "=");
}

/**
 * Decodes base64 in either alphabet (standard or url-safe), padded or not; a `TypeError` on
 * anything else.
 *
 * @example
 * fromBase64("+/8="); // Uint8Array [251, 255]
 */
export function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  return fromBase64Url(text.replace(/\+/g, "-").replace(/\//g, "_"));
}

/**
 * The SHA-256 of a text, as lowercase hex.
 *
 * @example
 * await sha256Hex("abc"); // "ba7816bf…"
 */
export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", textEncoder.encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Fresh random bytes from the platform's CSPRNG.
 *
 * @example
 * randomBytes(16).length; // 16
 */
export function randomBytes(length: number): Uint8Array<ArrayBuffer> {
  return crypto.getRandomValues(new Uint8Array(length));
}

/**
 * Compares two secrets (say, Meta's `hub.verify_token` with the configured one) in time that
 * reveals neither their content nor their length: both are hashed first.
 *
 * @example
 * await sameSecret(c.req.query("hub.verify_token") ?? "", site.messenger.verifyToken);
 */
export async function sameSecret(given: string, expected: string): Promise<boolean> {
  const [a, b] = await Promise.all([
    crypto.subtle.digest("SHA-256", textEncoder.encode(given)),
    crypto.subtle.digest("SHA-256", textEncoder.encode(expected)),
  ]);
  return expected !== "" && equalBytes(new Uint8Array(a), new Uint8Array(b));
}
