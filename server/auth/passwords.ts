import { scryptAsync } from "@noble/hashes/scrypt.js";
import { equalBytes, fromBase64Url, randomBytes, toBase64Url } from "./bytes.ts";

const DEFAULT_N = 16384;
const R = 8;
const P = 1;
const SALT_BYTES = 16;
const KEY_BYTES = 32;
/** Highest accepted cost: a hostile stored hash must not make a login eat a worker's memory. */
const MAX_N = 2 ** 17;
const MAX_R = 16;
const MAX_P = 4;
/** scrypt needs 128·N·r bytes; 128 MiB is the most a login may take. */
const MAX_MEMORY = 128 * 1024 * 1024;

/**
 * Hashes a password as `scrypt$<N>$<r>$<p>$<salt>$<hash>` (base64url salt and hash), the format
 * of `passwordHash` in the sites file. Passwords are NFC-normalized so the same password typed
 * on another system still matches.
 *
 * @example
 * const stored = await hashPassword("correct horse battery staple"); // "scrypt$16384$8$1$…$…"
 */
export async function hashPassword(
  password: string,
  options: { N?: number } = {},
): Promise<string> {
  const N = options.N ?? DEFAULT_N;
  if (!isPowerOfTwo(N) || N > MAX_N)
    throw new TypeError(`N must be a power of two from 2 to ${MAX_N}`);
  const salt = randomBytes(SALT_BYTES);
  const hash = await scryptAsync(password.normalize("NFC"), salt, {
    N,
    r: R,
    p: P,
    dkLen: KEY_BYTES,
  });
  return ["scrypt", N, R, P, toBase64Url(salt), toBase64Url(hash)].join("$");
}

/**
 * Checks a password against a stored {@link hashPassword} string in constant time. A malformed
 * string or one asking for more work than the caps (N ≤ 2^17, 128 MiB) is `false`, not an error.
 *
 * @example
 * if (!(await verifyPassword(body.password, agent.passwordHash))) throw new AppError("unauthorized", "Wrong email or password");
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parse(stored);
  if (!parsed || typeof password !== "string") return false;
  const { N, r, p, salt, hash } = parsed;
  const actual = await scryptAsync(password.normalize("NFC"), salt, {
    N,
    r,
    p,
    dkLen: hash.length,
  });
  return equalBytes(actual, hash);
}

function parse(stored: string) {
  if (typeof stored !== "string") return undefined;
  const parts = stored.split("$");
  if (parts.length !== 6 || parts[0] !== "scrypt") return undefined;
  const [N, r, p] = parts
    .slice(1, 4)
    .map((part) => (/^[1-9]\d{0,6}$/.test(part) ? Number(part) : 0));
  if (!N || !r || !p || !isPowerOfTwo(N) || N > MAX_N || r > MAX_R || p > MAX_P) return undefined;
  if (128 * N * r > MAX_MEMORY) return undefined;
  try {
    const salt = fromBase64Url(parts[4] ?? "");
    const hash = fromBase64Url(parts[5] ?? "");
    if (salt.length < 8 || hash.length < 16 || hash.length > 64) return undefined;
    return { N, r, p, salt, hash };
  } catch {
    return undefined;
  }
}

function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n >= 2 && (n & (n - 1)) === 0;
}
