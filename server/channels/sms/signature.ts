import { equalBytes, fromBase64, toBase64 } from "../../auth/bytes.ts";
import { hmacKey } from "../../auth/hmac.ts";

/**
 * Twilio webhook signatures (`X-Twilio-Signature`) on Web APIs only (Web Crypto, btoa), so the
 * check runs on workerd as it does on Node.
 */

/** The header Twilio signs every webhook request with: base64 of an HMAC-SHA1. */
export const TWILIO_SIGNATURE_HEADER = "x-twilio-signature";

const encoder = new TextEncoder();

/**
 * Orders strings by code point, which is the byte order of their UTF-8 (Twilio's "Unix-style"
 * sort). A plain `<` compares UTF-16 units, which puts astral characters (emoji) before
 * U+E000–U+FFFF; moving the surrogates above the rest of the BMP fixes that.
 */
function byCodePoint(a: string, b: string): number {
  const rank = (unit: number) =>
    unit >= 0xd800 && unit <= 0xdfff ? unit + 0x2000 : unit >= 0xe000 ? unit - 0x800 : unit;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const diff = rank(a.charCodeAt(i)) - rank(b.charCodeAt(i));
    if (diff !== 0) return diff;
  }
  return a.length - b.length;
}

/** The string Twilio signs: the URL, then each name followed by its value, sorted by name. */
function signedText(url: string, params: Record<string, string | string[]>): string {
  let text = url;
  for (const name of Object.keys(params).sort(byCodePoint)) {
    const value = params[name] ?? "";
    // A repeated name: each distinct value once, sorted, as Twilio's own libraries sign it.
    const values = typeof value === "string" ? [value] : [...new Set(value)].sort(byCodePoint);
    for (const each of values) text += name + each;
  }
  return text;
}

async function mac(key: CryptoKey, url: string, params: Record<string, string | string[]>) {
  const data = encoder.encode(signedText(url, params));
  return new Uint8Array(await crypto.subtle.sign("HMAC", key, data));
}

/**
 * The URL as given, without its port, and with the scheme's default port if it has none: Twilio
 * signs the URL as configured (`https://host/path`) while a proxy may report
 * `https://host:443/path`, or the reverse. The URL is split by hand, not through `new URL()`,
 * which would re-encode characters of the path and query that Twilio signed as they were.
 */
function urlVariants(url: string): string[] {
  const match = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)/i.exec(url);
  if (!match) return [url];
  const [prefix, scheme = "", authority = ""] = match;
  const rest = url.slice(prefix.length);
  const userInfo = authority.slice(0, authority.lastIndexOf("@") + 1);
  const hostPort = authority.slice(userInfo.length);
  // A colon starts the port only after the closing bracket of an IPv6 literal.
  const colon = hostPort.indexOf(":", hostPort.lastIndexOf("]") + 1);
  const host = colon === -1 ? hostPort : hostPort.slice(0, colon);
  const withoutPort = scheme + userInfo + host + rest;
  const defaultPort = scheme.toLowerCase() === "https://" ? ":443" : ":80";
  const withPort = colon === -1 ? scheme + userInfo + host + defaultPort + rest : url;
  return [...new Set([url, withoutPort, withPort])];
}

/**
 * The `X-Twilio-Signature` Twilio would send for a form-encoded POST to `url` (scheme, host,
 * port if any, path and query, exactly as Twilio requested it): what the simulator and tests
 * need, and what {@link verifyTwilioSignature} recomputes.
 *
 * @example
 * await twilioSignature(authToken, "https://chat.example.com/webhooks/sms/twilio", { Body: "hi" }); // "…="
 */
export async function twilioSignature(
  authToken: string,
  url: string,
  params: Record<string, string | string[]>,
): Promise<string> {
  return toBase64(await mac(await hmacKey("SHA-1", authToken), url, params));
}

/**
 * Checks `X-Twilio-Signature` over the public URL Twilio requested and the parsed form fields
 * (Twilio signs the fields, not the raw body). Like Twilio's own validator it also accepts the
 * URL with the default port added or removed. The comparison takes the same time wherever the
 * first differing byte is.
 *
 * @example
 * const params = Object.fromEntries(new URLSearchParams(await c.req.text()));
 * if (!(await verifyTwilioSignature(c.req.header(TWILIO_SIGNATURE_HEADER), token, publicUrl, params))) {
 *   throw new AppError("unauthorized", "Bad X-Twilio-Signature");
 * }
 */
export async function verifyTwilioSignature(
  header: string | null | undefined,
  authToken: string,
  url: string,
  params: Record<string, string | string[]>,
): Promise<boolean> {
  const text = header?.trim();
  if (!text || !authToken) return false;
  let given: Uint8Array;
  try {
    given = fromBase64(text);
  } catch {
    return false;
  }
  const key = await hmacKey("SHA-1", authToken);
  for (const candidate of urlVariants(url)) {
    if (equalBytes(await mac(key, candidate, params), given)) return true;
  }
  return false;
}
