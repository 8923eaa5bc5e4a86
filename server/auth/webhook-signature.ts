/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com): what a receiver checks to
 * know a webhook is ours and unchanged. Web Crypto only, so the edge signs the same way.
 */
import { fromBase64, randomBytes, toBase64 } from "./bytes.ts";

export const WEBHOOK_SECRET_PREFIX = "whsec_";

/** A fresh secret: 32 random bytes, as `whsec_<base64>`. */
export function newWebhookSecret(): string {
  return WEBHOOK_SECRET_PREFIX + toBase64(randomBytes(32));
}

/** The key bytes of a `whsec_<base64>` secret; a `TypeError` for anything else. */
export function webhookKey(secret: string): Uint8Array<ArrayBuffer> {
  if (!secret.startsWith(WEBHOOK_SECRET_PREFIX)) {
    throw new TypeError(`A webhook secret starts with "${WEBHOOK_SECRET_PREFIX}"`);
  }
  return fromBase64(secret.slice(WEBHOOK_SECRET_PREFIX.length));
}

/**
 * The `webhook-signature` header: `v1,` and the base64 HMAC-SHA256 of `<id>.<timestamp>.<body>`.
 *
 * @example
 * const signature = await signWebhook("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "evt_1", 1700000000, body);
 */
export async function signWebhook(
  secret: string,
  id: string,
  timestampSeconds: number,
  body: string,
): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    webhookKey(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = await crypto.subtle.sign(
    "HMAC",
    key,
    new TextEncoder().encode(`${id}.${timestampSeconds}.${body}`),
  );
  return `v1,${toBase64(new Uint8Array(mac))}`;
}
