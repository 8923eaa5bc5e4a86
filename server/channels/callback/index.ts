import type { SiteConfig } from "../../config.ts";
import { callbackForVisitor } from "../../core/callbacks.ts";
import { AppError } from "../../errors.ts";
import { enforceLimit } from "../../http/rate-limit.ts";
import { text } from "../../http/validate.ts";
import type { Channel } from "../types.ts";

/** A plain address for the confirmation; the email channel checks it again before sending. */
const EMAIL = /^[^\s@<>"]{1,64}@[^\s@<>"]{1,253}\.[a-z]{2,63}$/i;

/**
 * The phone callback channel (docs/architecture.md §5): the visitor leaves a number and a window,
 * an agent calls. The request itself follows the rules in `core/callbacks.ts`; replies cannot go
 * "by callback", so the thread stays where the visitor writes.
 *
 * @example
 * createApp({ config, store, keyRing, channels: [callbackChannel(), emailChannel({ transport })] });
 */
export function callbackChannel(): Channel {
  return {
    name: "callback",
    configured: (site: SiteConfig) => site.callback !== undefined,

    async handoff(s, conversation, input) {
      const email = text(input, "email", { max: 254, optional: true })?.trim();
      if (email && !EMAIL.test(email)) {
        throw new AppError("bad_request", '"email" must be an address like ana@example.com');
      }
      const note = text(input, "note", { max: 1000, optional: true });
      const country = text(input, "country", { max: 2, optional: true })?.toUpperCase();
      await enforceLimit(s.store, "callback", conversation.id, s.limits.callbacksPerConversation);
      const callback = await s.callbacks.request(conversation, {
        phone: text(input, "phone", { max: 40, nonEmpty: true }),
        window: input.window,
        timeZone: text(input, "timeZone", { max: 64, nonEmpty: true }),
        ...(country ? { country } : {}),
        ...(note ? { note } : {}),
        ...(email ? { email } : {}),
      });
      // The request is its own event in the thread: no separate "handoff.requested".
      return { status: 201, body: { callback: callbackForVisitor(callback) }, recorded: true };
    },

    async checkDelivery() {
      throw new AppError(
        "channel_unavailable",
        "A callback is a phone call: reply in the chat, by email or Messenger instead",
      );
    },

    async deliver() {
      throw new AppError("channel_unavailable", "A callback is a phone call");
    },
  };
}
