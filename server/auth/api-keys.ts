import { randomId } from "./base32.ts";
import { sha256Hex } from "./bytes.ts";

/** An API key's id: it is part of the key, so it must not hold the `_` that separates the parts. */
export const API_KEY_ID = /^[a-z0-9][a-z0-9-]{0,31}$/;

/** Every key starts so: a bearer token that does is a key, never an agent's token (a JWT). */
export const API_KEY_PREFIX = "ot_sk_";

/**
 * The id a key names (`ot_sk_<id>_<random>` → `<id>`), or null when the text is not shaped like a
 * key. The id finds the site's entry; only the key's hash proves it.
 *
 * @example
 * apiKeyId("ot_sk_crm_abc…"); // "crm"
 */
export function apiKeyId(token: string): string | null {
  if (!token.startsWith(API_KEY_PREFIX)) return null;
  const [id, secret] = token.slice(API_KEY_PREFIX.length).split("_");
  return id && secret && API_KEY_ID.test(id) ? id : null;
}

/**
 * What an API key may do: the agent API, the contacts API, webhook
 * settings.
 */
export const API_KEY_SCOPES = ["agent", "contacts", "webhooks"] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

/** A sites-file `apiKeys[]` entry: the key itself is never stored, only its SHA-256. */
export interface ApiKeyEntry {
  id: string;
  hash: string;
  scopes: ApiKeyScope[];
}

/**
 * The SHA-256 of a key, as lowercase hex: what the sites file keeps. A key is long and random,
 * so a fast hash is enough (no password stretching needed).
 *
 * @example
 * const hash = await hashApiKey("ot_sk_crm_…");
 */
export async function hashApiKey(key: string): Promise<string> {
  return sha256Hex(key);
}

/**
 * A new API key `ot_sk_<id>_<random>` (160 random bits) and the sites-file entry for it.
 *
 * @example
 * const { key, entry } = await generateApiKey("crm"); // give `key` to the CRM, `entry` to the sites file
 */
export async function generateApiKey(
  id: string,
  scopes: ApiKeyScope[] = [...API_KEY_SCOPES],
): Promise<{ key: string; entry: ApiKeyEntry }> {
  if (!API_KEY_ID.test(id)) {
    throw new TypeError(
      `An API key id is 1–32 of a-z, 0-9 and "-", starting with a letter or digit; got "${id}"`,
    );
  }
  const key = `${API_KEY_PREFIX}${id}_${randomId(20)}`;
  return { key, entry: { id, hash: await hashApiKey(key), scopes } };
}
