import type { ErrorCode } from "./protocol.ts";

/**
 * A failure the SDK reports: the server's stable error `code` (docs/architecture.md §4), or
 * `network` when the server could not be reached.
 *
 * @example
 * try { await chat.handoff("messenger"); }
 * catch (e) { if (e instanceof OmnithreadError && e.code === "channel_not_configured") hideButton(); }
 */
export class OmnithreadError extends Error {
  override readonly name = "OmnithreadError";
  // Declared, then set once in the constructor: parameter properties would compile to a first
  // `= undefined` each as well (class-field semantics), bytes in the widget's bundle.
  declare readonly code: ErrorCode | "network";
  /** The HTTP status, when the server answered. */
  declare readonly status?: number | undefined;
  /** Seconds to wait before trying again, for `rate_limited`. */
  declare readonly retryAfter?: number | undefined;
  constructor(code: ErrorCode | "network", message: string, status?: number, retryAfter?: number) {
    super(message);
    this.code = code;
    this.status = status;
    this.retryAfter = retryAfter;
  }
}
