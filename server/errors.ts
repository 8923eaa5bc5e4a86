import type { ErrorBody, ErrorCode } from "../sdk/protocol.ts";

/** The HTTP status of every stable error code: the one place that maps the two. */
export const STATUS_OF: Record<
  ErrorCode,
  400 | 401 | 403 | 404 | 409 | 413 | 415 | 429 | 500 | 502 | 503
> = {
  bad_request: 400,
  invalid_json: 400,
  channel_not_configured: 400,
  unauthorized: 401,
  token_expired: 401,
  forbidden: 403,
  origin_not_allowed: 403,
  wrong_site: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  /** The channel cannot deliver now (e.g. outside Messenger's reply window). */
  channel_unavailable: 409,
  /** WhatsApp's 24-hour customer-service window has closed: a template or another channel. */
  window_closed: 409,
  /** The outside service refused or failed after retries. */
  upstream_failed: 502,
  /** The server keeps no files (an edge worker without an R2 binding or a bucket). */
  attachments_not_configured: 400,
  /** The store did not answer in time: this instance cannot serve (`GET /ready`). */
  store_unavailable: 503,
  internal: 500,
};

/**
 * A failure the caller can act on: bad wire data, a refused token, a missing thread.
 * Programming mistakes stay `TypeError`s and surface as 500 `internal`.
 *
 * @example
 * throw new AppError("not_found", "No conversation with that id");
 */
export class AppError extends Error {
  override readonly name = "AppError";
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Seconds until a rate-limited caller may try again. */
    readonly retryAfter?: number,
  ) {
    super(message);
  }

  get status(): number {
    return STATUS_OF[this.code];
  }

  toJSON(): ErrorBody {
    return { error: { code: this.code, message: this.message } };
  }
}

/** Builds the JSON error body for any code, for places that answer without throwing. */
export function errorBody(code: ErrorCode, message: string): ErrorBody {
  return { error: { code, message } };
}
