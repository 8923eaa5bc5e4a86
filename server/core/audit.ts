/**
 * The audit log: who (an agent, or a server by its API key) assigned, resolved, reopened,
 * changed a contact's attributes, exported or erased, and when. One site log in the store,
 * kept 7 days, read by cursor like the feed.
 */
import type { Agent, Conversation } from "../../sdk/protocol.ts";
import { sha256Hex } from "../auth/bytes.ts";
import type { Store } from "../store/types.ts";

export type AuditAction =
  | "conversation.assigned"
  | "conversation.status"
  | "contact.attributes"
  | "contact.exported"
  | "contact.erased";

/** Who did it: an agent by email, or an API key by its id. */
export interface Actor {
  type: "agent" | "apiKey";
  id: string;
}

/** How an API key's caller is named (`services.ts` `keyHolder`). */
const API_KEY_AGENT = "api-key:";

export function actorOf(agent: Pick<Agent, "email">): Actor {
  return agent.email.startsWith(API_KEY_AGENT)
    ? { type: "apiKey", id: agent.email.slice(API_KEY_AGENT.length) }
    : { type: "agent", id: agent.email };
}

export interface AuditEntry {
  action: AuditAction;
  conversationId?: string;
  contactId?: string;
  /** What changed: the new status or assignee, the attribute names (never their values). */
  details?: Record<string, unknown>;
}

/**
 * Writes one entry. An erasure names the contact only by its id's SHA-256: the log keeps proof
 * that it happened without keeping anything of whom it erased.
 *
 * @example
 * await audit(store, agent, { action: "contact.exported", contactId }, Date.now());
 */
export async function audit(
  store: Store,
  agent: Pick<Agent, "email" | "siteId">,
  entry: AuditEntry,
  now: number,
): Promise<void> {
  const { contactId, conversationId, ...rest } = entry;
  const erased = entry.action === "contact.erased";
  const body = {
    ...rest,
    actor: actorOf(agent),
    at: new Date(now).toISOString(),
    ...(conversationId ? { conversationId } : {}),
    ...(contactId && !erased ? { contactId } : {}),
    ...(contactId && erased ? { contactHash: await sha256Hex(contactId) } : {}),
  };
  await store.writeLog(
    agent.siteId,
    "audit",
    JSON.stringify(body),
    erased
      ? {}
      : { ...(contactId ? { contactId } : {}), ...(conversationId ? { conversationId } : {}) },
  );
}

/** The entries a conversation's change makes: one per field that changed. */
export function conversationChanges(before: Conversation, after: Conversation): AuditEntry[] {
  const entries: AuditEntry[] = [];
  const base = { conversationId: after.id, contactId: after.contactId };
  if (before.status !== after.status) {
    entries.push({
      action: "conversation.status",
      ...base,
      details: { from: before.status, to: after.status },
    });
  }
  if (before.assignee !== after.assignee) {
    entries.push({
      action: "conversation.assigned",
      ...base,
      details: { from: before.assignee ?? null, to: after.assignee ?? null },
    });
  }
  return entries;
}
