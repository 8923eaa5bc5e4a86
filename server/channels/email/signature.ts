import { sameSecret } from "../../auth/bytes.ts";

const encoder = new TextEncoder();

async function hmacHex(key: string, data: string): Promise<string> {
  const cryptoKey = await crypto.subtle.importKey(
    "raw",
    encoder.encode(key),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", cryptoKey, encoder.encode(data)));
  return [...mac].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Whether an `Authorization` header carries the inbound secret: `Bearer <secret>`, or Basic
 * auth whose password is the secret (any user name), which is how Postmark authenticates: the
 * webhook URL holds `https://user:<secret>@host/webhooks/email/postmark`.
 *
 * @example
 * await inboundAuthorized(c.req.header("authorization"), secret);
 */
export async function inboundAuthorized(
  header: string | undefined,
  secret: string,
): Promise<boolean> {
  if (!header) return false;
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (bearer) return sameSecret(bearer[1]!, secret);
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!basic) return false;
  let decoded: string;
  try {
    decoded = new TextDecoder().decode(Uint8Array.from(atob(basic[1]!), (c) => c.charCodeAt(0)));
  } catch {
    return false;
  }
  const colon = decoded.indexOf(":");
  return colon >= 0 && sameSecret(decoded.slice(colon + 1), secret);
}

/**
 * Mailgun's webhook signature: hex HMAC-SHA256 of `timestamp + token` with the signing key.
 *
 * @example
 * await mailgunSignatureValid({ timestamp, token, signature }, env.MAILGUN_SIGNING_KEY);
 */
export async function mailgunSignatureValid(
  fields: { timestamp: string; token: string; signature: string },
  signingKey: string,
): Promise<boolean> {
  const expected = await hmacHex(signingKey, fields.timestamp + fields.token);
  return sameSecret(fields.signature.toLowerCase(), expected);
}

/** Signs like Mailgun (for tests and tools). */
export function mailgunSignature(timestamp: string, token: string, signingKey: string) {
  return hmacHex(signingKey, timestamp + token);
}
