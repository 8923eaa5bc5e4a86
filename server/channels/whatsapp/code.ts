import { AppError } from "../../errors.ts";
import type { ChannelPort } from "../port.ts";

/**
 * The one-time code a wa.me handoff puts in the prefilled text (`Continue my chat AB12-CD34`):
 * wa.me links have no reference field and the visitor can edit the text, so the code is all that
 * ties their first WhatsApp message to the web conversation. It is short enough to read and
 * type, and stands for a handle kept in the store: the handle is HMAC-signed for this
 * conversation and channel with its expiry (`auth/handles.ts`), and the code is taken once.
 * An altered code finds nothing, a replayed one was taken, an expired one has no handle left
 * (or an expired handle): each links nothing.
 */

/** Letters and digits nobody confuses when reading them off a screen: no I, O, 0, 1. */
const ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
/**
 * Two groups of four joined by a dash (a phone's keyboard may make it a hyphen or en dash): 40
 * bits less the all-letter and all-digit codes, guessed only at the rate below. The dash and the
 * mix of letters and digits keep words ("self-help") and numbers ("order 2345-6789") from
 * reading as codes.
 */
const CODE =
  /(?:^|[^A-Za-z0-9])([A-HJ-NP-Za-hj-np-z2-9]{4})[-\u2010\u2011\u2013\u2014]([A-HJ-NP-Za-hj-np-z2-9]{4})(?![A-Za-z0-9])/g;
const mixed = (code: string) => /[A-Z]/i.test(code) && /\d/.test(code);
/** Codes one WhatsApp number may try per hour; after that its codes are not looked at. */
export const MAX_CODE_TRIES_PER_HOUR = 10;
/** The store keeps a code past its handle's expiry, so a late visitor hears "expired", not "invalid". */
const KEPT_AFTER_EXPIRY_S = 7 * 86_400;

const key = (siteId: string, code: string) => `whatsapp:code:${siteId}:${code}`;

/** `AB3D-EF7H` from eight random characters of the alphabet, letters and digits mixed. */
function randomCode(): string {
  for (;;) {
    const bytes = crypto.getRandomValues(new Uint8Array(8));
    const chars = Array.from(bytes, (b) => ALPHABET[b % ALPHABET.length]).join("");
    if (mixed(chars)) return `${chars.slice(0, 4)}-${chars.slice(4)}`;
  }
}

/**
 * A fresh code for the conversation, valid for `ttlSeconds` and once.
 *
 * @example
 * const code = await issueCode(port, conversation, 3 * 86_400); // "K7QM-2XPD"
 */
export async function issueCode(
  port: ChannelPort,
  conversation: { id: string; siteId: string },
  ttlSeconds: number,
): Promise<string> {
  const handle = await port.handles.issue({
    conversationId: conversation.id,
    channel: "whatsapp",
    ttlSeconds,
  });
  const code = randomCode();
  await port.store.putOnce(
    key(conversation.siteId, code.replace("-", "")),
    handle,
    (ttlSeconds + KEPT_AFTER_EXPIRY_S) * 1000,
    conversation.id,
  );
  return code;
}

/** The code a message carries (`AB23-CD45`, also in small letters), or null. */
export function findCode(text: string): string | null {
  for (const [, head, tail] of text.matchAll(CODE)) {
    const code = `${head}${tail}`.toUpperCase();
    if (mixed(code)) return code;
  }
  return null;
}

/** Why a code opened nothing. */
export type CodeRefusal = "invalid" | "expired";

/**
 * Takes the code (once): the conversation it was issued for, or why not. A number that tried
 * too many codes this hour is refused without a look, so codes cannot be guessed.
 *
 * @example
 * const taken = await redeemCode(port, site.id, "K7QM2XPD", waId);
 * if ("conversationId" in taken) link(taken.conversationId);
 */
export async function redeemCode(
  port: ChannelPort,
  siteId: string,
  code: string,
  waId: string,
): Promise<{ conversationId: string } | { refusal: CodeRefusal }> {
  const tries = await port.store.hit(`whatsapp:code-tries:${siteId}:${waId}`, 3_600_000);
  if (tries.count > MAX_CODE_TRIES_PER_HOUR) return { refusal: "invalid" };
  const handle = await port.store.takeOnce(key(siteId, code));
  if (!handle) return { refusal: "invalid" };
  try {
    const { conversationId } = await port.handles.open(handle, "whatsapp");
    return { conversationId };
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    return { refusal: error.code === "token_expired" ? "expired" : "invalid" };
  }
}
