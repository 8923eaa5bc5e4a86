import { randomId } from "../auth/base32.ts";

/**
 * Short resume links for text messages (`/r/k7qm2xpd`): a resume link's handle is 44 characters,
 * which with the host fills most of a UCS-2 segment (70), so a text names the handle by a random
 * code kept in the store for the handle's lifetime instead. 40 random bits: found by no one who
 * was not sent it, at the rate `/r/` answers anyone.
 */

/** Eight characters of lowercase base32: what a short link's path carries. */
export const SHORT_CODE = /^[a-z2-7]{8}$/;

/** The store key the code's handle is kept under. */
export const shortLinkKey = (code: string) => `short-link:${code}`;

/** A fresh code (5 random bytes). */
export const newShortCode = () => randomId(5);
