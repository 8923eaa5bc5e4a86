/**
 * Email addresses the channel writes and reads: the visitor's address (validated), our reply
 * address `reply+<handle>@<replyDomain>` (docs/architecture.md §3) and our `Message-ID`s, which
 * also carry a handle so a reply that kept only `In-Reply-To`/`References` finds its thread without
 * a lookup.
 */

import { EMAIL } from "../../schema/fields.ts";

/** The reply address's local part prefix. */
export const REPLY_PREFIX = "reply+";
/** RFC 5321: a local part is at most 64 octets. */
export const MAX_LOCAL_OCTETS = 64;
const octets = (value: string) => new TextEncoder().encode(value).length;
/**
 * The visitor's address, normalized (trimmed, lower case), or null when it is not a plain
 * `local@domain.tld` address by the server's one rule ({@link EMAIL}).
 *
 * @example
 * normalizeAddress(" Ana@Example.COM "); // "ana@example.com"
 */
export function normalizeAddress(input: unknown): string | null {
  if (typeof input !== "string") return null;
  const value = input.trim().toLowerCase();
  return EMAIL.test(value) ? value : null;
}

/**
 * Our reply address for a handle; throws a TypeError when the local part would pass 64 octets.
 *
 * @example
 * replyAddress(handle, "reply.example.com"); // "reply+<handle>@reply.example.com"
 */
export function replyAddress(handle: string, replyDomain: string): string {
  const local = `${REPLY_PREFIX}${handle}`;
  if (octets(local) > MAX_LOCAL_OCTETS) throw new TypeError("Reply local part over 64 octets");
  return `${local}@${replyDomain.toLowerCase()}`;
}

/**
 * Reads `reply+<handle>@<domain>` (any case, angle brackets allowed): the handle (lower case)
 * and the domain, or null for any other address.
 *
 * @example
 * parseReplyAddress("<REPLY+abc@Reply.Example.com>"); // { handle: "abc", domain: "reply.example.com" }
 */
export function parseReplyAddress(address: string): { handle: string; domain: string } | null {
  const match = /^<?reply\+([a-z2-7]{1,58})@([^>\s@]+)>?$/i.exec(address.trim());
  if (!match) return null;
  return { handle: match[1]!.toLowerCase(), domain: match[2]!.toLowerCase() };
}

/**
 * An address or a Message-ID fit for a log line: the handle in one of ours (a reply address,
 * our Message-ID) lets its holder write into the thread, so it is masked.
 *
 * @example
 * loggable("reply+abc@reply.example.com"); // "reply+…@reply.example.com"
 */
export function loggable(value: string): string {
  return value.replace(/\b(reply\+|ot\.)[a-z2-7]{1,58}/gi, "$1…");
}

/**
 * A fresh `Message-ID` of ours: `<ot.<handle>.<random>@<replyDomain>>`.
 *
 * @example
 * const id = newMessageId(handle, "reply.example.com");
 */
export function newMessageId(handle: string, replyDomain: string): string {
  const random = crypto.randomUUID().replace(/-/g, "").slice(0, 16);
  return `<ot.${handle}.${random}@${replyDomain.toLowerCase()}>`;
}

/**
 * The handle and domain inside one of our `Message-ID`s, or null for anybody else's.
 *
 * @example
 * parseMessageId("<ot.abc.0123@reply.example.com>"); // { handle: "abc", domain: "reply.example.com" }
 */
export function parseMessageId(id: string): { handle: string; domain: string } | null {
  const match = /^<?ot\.([a-z2-7]{1,58})\.[a-z0-9]{1,32}@([^>\s@]+)>?$/i.exec(id.trim());
  if (!match) return null;
  return { handle: match[1]!.toLowerCase(), domain: match[2]!.toLowerCase() };
}

/**
 * The message ids in an `In-Reply-To` or `References` header, in order, with their brackets.
 *
 * @example
 * messageIds("<a@x> <b@y>"); // ["<a@x>", "<b@y>"]
 */
export function messageIds(header: string | undefined | null): string[] {
  if (!header) return [];
  return [...header.matchAll(/<[^<>\s]+>/g)].map((m) => m[0]);
}
