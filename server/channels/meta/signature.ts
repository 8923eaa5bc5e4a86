import { equalBytes } from "../../auth/bytes.ts";
import { hmacKey } from "../../auth/hmac.ts";

/** The header Meta signs every webhook POST with: `sha256=<hex HMAC-SHA256 of the raw body>`. */
export const SIGNATURE_HEADER = "x-hub-signature-256";

const HEADER_FORMAT = /^sha256=([0-9a-fA-F]{64})$/;

function hexBytes(hex: string): Uint8Array {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++)
    bytes[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

/**
 * The `X-Hub-Signature-256` value Meta would send for a body: what the demo's simulator and
 * tests need, and what {@link verifySignature} recomputes.
 *
 * @example
 * await hubSignature("app-secret", new TextEncoder().encode('{"object":"page"}')); // "sha256=…"
 */
export async function hubSignature(secret: string, body: Uint8Array): Promise<string> {
  const mac = new Uint8Array(
    await crypto.subtle.sign(
      "HMAC",
      await hmacKey("SHA-256", secret),
      body as Uint8Array<ArrayBuffer>,
    ),
  );
  return `sha256=${Array.from(mac, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/**
 * Checks `X-Hub-Signature-256` over the RAW body bytes, exactly as received (Meta signs its
 * escaped-unicode JSON: re-serializing a parsed body would not match). The comparison takes the
 * same time wherever the first differing byte is.
 *
 * @example
 * const raw = new Uint8Array(await c.req.arrayBuffer());
 * if (!(await verifySignature(c.req.header("x-hub-signature-256"), raw, site.messenger.appSecret))) {
 *   throw new AppError("unauthorized", "Bad X-Hub-Signature-256");
 * }
 */
export async function verifySignature(
  header: string | null | undefined,
  body: Uint8Array,
  secret: string,
): Promise<boolean> {
  const match = header?.trim().match(HEADER_FORMAT);
  if (!match || !secret) return false;
  const expected = await crypto.subtle.sign(
    "HMAC",
    await hmacKey("SHA-256", secret),
    body as Uint8Array<ArrayBuffer>,
  );
  return equalBytes(new Uint8Array(expected), hexBytes(match[1]!));
}

/**
 * Which of the app secrets signed the body: a webhook's sites may belong to several Meta apps,
 * and the body names its page or number only once it is parsed. An entry is then taken only for
 * a site whose secret is among these, so one app's secret never writes into another app's sites.
 *
 * @example
 * const signedBy = await signersOf(c.req.header(SIGNATURE_HEADER), raw, sites.map((s) => s.whatsapp.appSecret));
 * if (signedBy.size === 0) return c.json(errorBody("unauthorized", UNSIGNED), 401);
 */
export async function signersOf(
  header: string | null | undefined,
  body: Uint8Array,
  secrets: Iterable<string>,
): Promise<Set<string>> {
  const signedBy = new Set<string>();
  for (const secret of new Set(secrets)) {
    if (await verifySignature(header, body, secret)) signedBy.add(secret);
  }
  return signedBy;
}

/** What a 401 says when no configured app secret signed the body. */
export const UNSIGNED = "X-Hub-Signature-256 is missing or does not match the body";
