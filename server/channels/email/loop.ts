/**
 * Mail no person wrote: auto-replies, bounces, lists. They never become messages and never get
 * an answer, so two robots can never write to each other through a thread (RFC 3834, RFC 3464).
 */

/** Why a mail counts as automatic. */
export type AutomatedReason =
  | "auto-submitted"
  | "precedence"
  | "x-autoreply"
  | "null-sender"
  | "bounce"
  | "list";

/** Header lookup by lower-case name: the first value, or undefined. */
export type HeaderLookup = (name: string) => string | undefined;

const MAILER_DAEMON = /^(?:mailer-daemon|postmaster)@/i;

/**
 * The reason a mail is automatic, or null for a person's mail: `Auto-Submitted` other than
 * `no`; `Precedence: bulk|junk|list|auto_reply`; `X-Autoreply`, `X-Autorespond` or
 * `X-Autoresponder`; an empty envelope sender (`Return-Path: <>`, a bounce); a delivery report
 * (`multipart/report`) or a `MAILER-DAEMON` sender; a mailing list (`List-Id`).
 *
 * @example
 * automatedReason((h) => ({ "auto-submitted": "auto-replied" })[h], { from: "a@b.c" }); // "auto-submitted"
 */
export function automatedReason(
  header: HeaderLookup,
  envelope: { from?: string | null; returnPath?: string | null } = {},
): AutomatedReason | null {
  const auto = header("auto-submitted")?.trim().toLowerCase();
  if (auto && !/^no\b/.test(auto)) return "auto-submitted";
  const precedence = header("precedence")?.trim().toLowerCase();
  if (precedence && /^(?:bulk|junk|list|auto_reply)\b/.test(precedence)) return "precedence";
  if (
    header("x-autoreply") !== undefined ||
    header("x-autorespond") !== undefined ||
    header("x-autoresponder") !== undefined
  )
    return "x-autoreply";
  const returnPath = envelope.returnPath ?? header("return-path");
  if (returnPath !== undefined && returnPath !== null && /^\s*<?\s*>?\s*$/.test(returnPath))
    return "null-sender";
  if (/^\s*multipart\/report\b/i.test(header("content-type") ?? "")) return "bounce";
  if (envelope.from && MAILER_DAEMON.test(envelope.from)) return "bounce";
  if (header("list-id") !== undefined || header("list-unsubscribe") !== undefined) return "list";
  return null;
}
