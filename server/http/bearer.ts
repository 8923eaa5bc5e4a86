import type { Context } from "hono";
import { AppError } from "../errors.ts";

/** The bearer token of a request, or null. */
export function bearer(c: Context): string | null {
  const header = c.req.header("authorization");
  const match = header?.match(/^Bearer\s+([A-Za-z0-9._~+/=-]+)\s*$/i);
  return match?.[1] ?? null;
}

const MISSING = {
  visitor: "Send the conversation token as Authorization: Bearer <token>",
  agent: "Send the agent token as Authorization: Bearer <token>",
} as const;

/**
 * The request's bearer token, or 401 naming the token a `who` caller sends. `route()` asks before
 * it reads a body, so a caller without a token is told so (and its body left unread) first.
 *
 * @example
 * const token = requireBearer(c, "agent");
 */
export function requireBearer(c: Context, who: keyof typeof MISSING): string {
  const token = bearer(c);
  if (!token) throw new AppError("unauthorized", MISSING[who]);
  return token;
}
