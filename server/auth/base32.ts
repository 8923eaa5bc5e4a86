import { AppError } from "../errors.ts";
import { randomBytes } from "./bytes.ts";

const ALPHABET = "abcdefghijklmnopqrstuvwxyz234567";
const VALUES: Record<string, number> = Object.fromEntries([...ALPHABET].map((c, i) => [c, i]));

/**
 * Lowercase RFC 4648 base32 without padding: safe in URLs, email local parts and Telegram
 * `start` payloads alike.
 *
 * @example
 * encodeBase32(new TextEncoder().encode("hi")); // "nbuq"
 */
export function encodeBase32(bytes: Uint8Array): string {
  let out = "";
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = ((buffer << 8) | byte) & 0xfff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += ALPHABET[(buffer >> bits) & 31];
    }
  }
  if (bits > 0) out += ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}

/**
 * Decodes what {@link encodeBase32} made. Upper case is accepted because mail systems may
 * upper-case an address's local part. Only the canonical spelling of each byte string is
 * accepted (no impossible lengths, no stray trailing bits), so no two texts decode alike and
 * changing any character of a handle changes its bytes.
 * Throws `AppError("bad_request")`: the text usually comes off the wire.
 *
 * @example
 * decodeBase32("NBUQ"); // Uint8Array of "hi"
 */
export function decodeBase32(text: string): Uint8Array<ArrayBuffer> {
  // Checked before lowercasing: Unicode case mapping turns e.g. "\u212a" (Kelvin) into "k".
  if (!/^[A-Za-z2-7]*$/.test(text)) {
    throw new AppError("bad_request", "Base32 text has a character outside [a-z2-7]");
  }
  const lower = text.toLowerCase();
  // 1, 3 and 6 trailing characters cannot end a whole number of bytes.
  if ([1, 3, 6].includes(lower.length % 8)) {
    throw new AppError("bad_request", "Base32 text has an impossible length");
  }
  const out = new Uint8Array(Math.floor((lower.length * 5) / 8));
  let buffer = 0;
  let bits = 0;
  let index = 0;
  for (const char of lower) {
    buffer = ((buffer << 5) | (VALUES[char] ?? 0)) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out[index++] = (buffer >> bits) & 0xff;
    }
  }
  if ((buffer & ((1 << bits) - 1)) !== 0) {
    throw new AppError("bad_request", "Base32 text is not canonical");
  }
  return out;
}

/**
 * A random id: base32 of `bytes` random bytes (12 bytes → 20 characters, 96 bits).
 * Conversation and contact ids are made with it; handles rely on the 12-byte default.
 *
 * @example
 * randomId(); // e.g. "k3q7m2xra4b5c6d7e2fz"
 */
export function randomId(bytes = 12): string {
  return encodeBase32(randomBytes(bytes));
}
