import type { Contact, Conversation, SiteInfo } from "../../sdk/protocol.ts";
import type { SiteConfig } from "../config.ts";

/** After this long, a visitor who comes back to an empty thread counts as returning. */
const RETURNING_AFTER_MS = 30 * 60_000;

/**
 * Where the visitor is in their journey: a known customer (a verified identity, or the site's
 * customer attribute above 0), a returning visitor (an earlier thread, messages, or a visit more
 * than half an hour ago), or a first-time visitor.
 *
 * @example
 * journeyStage(site, conversation, contact, 1, Date.now()); // "returning"
 */
export function journeyStage(
  site: SiteConfig,
  conversation: Conversation,
  contact: Contact | null,
  conversationsOfContact: number,
  now: number,
): SiteInfo["stage"] {
  const attribute = site.customerAttribute ?? "orders";
  const value = conversation.context.attributes?.[attribute] ?? contact?.attributes[attribute];
  const verified = contact?.identities.some((i) => i.kind === "user" && i.verified) ?? false;
  if (verified || (typeof value === "number" && value > 0)) return "customer";
  const earlierVisit = now - Date.parse(conversation.createdAt) > RETURNING_AFTER_MS;
  if (conversation.lastSeq > 0 || conversationsOfContact > 1 || earlierVisit) return "returning";
  return "first";
}

/** The greeting for a stage: the stage's own, else the site's general one. */
export function greetingFor(site: SiteConfig, stage: SiteInfo["stage"]): string | undefined {
  return site.greetings?.[stage] ?? site.greeting;
}
