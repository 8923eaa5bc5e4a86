import type { Conversation } from "../../../sdk/protocol.ts";
import type { WhatsAppConfig } from "../../config.ts";

/**
 * WhatsApp's customer-service window: for 24 hours after the customer's last message a business
 * may answer in free form; after that only an approved template goes out, until they write again.
 * The window's end is kept on the conversation's channel entry (`replyUntil`, set by every inbound
 * message), which is also what the console shows.
 */
export const CUSTOMER_SERVICE_WINDOW_MS = 24 * 3_600_000;

/** When the window closes (ms), or null when the customer never wrote by WhatsApp. */
export function windowEnd(conversation: Conversation): number | null {
  const until = conversation.channels.find((c) => c.channel === "whatsapp")?.replyUntil;
  const at = until ? Date.parse(until) : Number.NaN;
  return Number.isNaN(at) ? null : at;
}

/** Whether a free-form reply can go out `now`. */
export function windowOpen(conversation: Conversation, now: number): boolean {
  const end = windowEnd(conversation);
  return end !== null && now < end;
}

/**
 * What the agent can do instead once the window has closed, as the refusal names it: a template
 * (when the site sets one up), email when the thread has the visitor's address, a resume link.
 *
 * @example
 * fallbacks(conversation, site.whatsapp); // "reply by email, or send a resume link …"
 */
export function fallbacks(conversation: Conversation, whatsapp: WhatsAppConfig): string {
  const ways = [
    whatsapp.template
      ? `send the template ${whatsapp.template.name}`
      : "set up a template (whatsapp.template) to write first",
  ];
  if (conversation.channels.some((c) => c.channel === "email")) ways.push("reply by email");
  ways.push("or send a resume link by another channel; WhatsApp reopens when the visitor writes");
  return ways.join(", ");
}
