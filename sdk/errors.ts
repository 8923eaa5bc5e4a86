import type { ErrorCode } from "./protocol.ts";

/**
 * A failure the SDK reports: the server's stable error `code` (DESIGN §4), or `network` when the
 * server could not be reached.
 *
 * @example
 * try { await chat.handoff("messenger"); }
 * catch (e) { if (e instanceof OmnithreadError && e.code === "channel_not_configured") hideButton(); }
 */
export class OmnithreadError extends Error {
  override readonly name = "OmnithreadError";
  constructor(
    readonly code: ErrorCode | "network",
    message: string,
    /** The HTTP status, when the server answered. */
    readonly status?: number,
    /** Seconds to wait before trying again, for `rate_limited`. */
    readonly retryAfter?: number,
  ) {
    super(message);
  }
}
