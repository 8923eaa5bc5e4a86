import type { SiteConfig } from "../../config.ts";
import { callbackForVisitor } from "../../core/callbacks.ts";
import { AppError } from "../../errors.ts";
import { enforceLimit } from "../../http/rate-limit.ts";
import { parseWith } from "../../schema/check.ts";
import { CallbackHandoff } from "../../schema/visitor.ts";
import type { Channel } from "../types.ts";

const refuse = (message: string): never => {
  throw new AppError("bad_request", message);
};

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
      // `POST /v1/handoff` checked the body already; read again here for its types.
      const { phone, country, window, timeZone, note, email } = parseWith(
        CallbackHandoff,
        input,
        refuse,
      );
      await enforceLimit(s.store, "callback", conversation.id, s.limits.callbacksPerConversation);
      const callback = await s.callbacks.request(conversation, {
        phone,
        window,
        timeZone,
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
