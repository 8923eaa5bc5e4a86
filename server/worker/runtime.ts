/**
 * The few Cloudflare Workers runtime shapes the edge entry uses, written out structurally (the
 * full `@cloudflare/workers-types` would replace the DOM types the rest of the code is checked
 * against).
 */

/**
 * A service binding such as the static-assets binding `ASSETS`.
 *
 * @example
 * const widget = await env.ASSETS.fetch(new URL("/widget.js", request.url));
 */
export interface Fetcher {
  fetch(input: Request | string | URL, init?: RequestInit): Promise<Response>;
}

/**
 * What an Email Worker's `email` handler receives from Email Routing.
 *
 * @example
 * const raw = new Uint8Array(await new Response(message.raw).arrayBuffer());
 */
export interface IncomingEmail {
  /** The envelope's MAIL FROM. */
  readonly from: string;
  /** The envelope's RCPT TO: the one address this delivery is for. */
  readonly to: string;
  /** The RFC 5322 message as sent. */
  readonly raw: ReadableStream<Uint8Array>;
  readonly rawSize: number;
  readonly headers: Headers;
  /**
   * Refuses the message with a permanent SMTP error to the sending server. Awaited: where the
   * message is an RPC stub (miniflare) the refusal arrives only when this call has.
   */
  setReject(reason: string): void | Promise<void>;
}

/**
 * A Cron Trigger's event.
 *
 * @example
 * async scheduled(controller: ScheduledController) { log.info("cron", { cron: controller.cron }); }
 */
export interface ScheduledController {
  readonly cron: string;
  readonly scheduledTime: number;
}
