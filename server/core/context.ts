import type { ConversationContext, PageVisit } from "../../sdk/protocol.ts";
import { AppError } from "../errors.ts";

/** How many attributes a thread keeps in all: each agent's view carries them. */
export const MAX_ATTRIBUTES = 100;

/** How many visited pages a thread keeps: the agent needs the trail, not the whole history. */
export const MAX_PAGES = 50;

/**
 * Folds what the visitor's browser reports into the thread's context. The first url and
 * referrer stay (where the chat started); locale follows the latest; pages append, skipping
 * a reload of the page already last; attributes merge key by key (null erases).
 */
export function mergeContext(
  current: ConversationContext,
  incoming: ConversationContext,
  nowIso: string,
): ConversationContext {
  const next: ConversationContext = { ...current };
  if (!next.url && incoming.url) next.url = incoming.url;
  if (!next.referrer && incoming.referrer) next.referrer = incoming.referrer;
  if (incoming.locale) next.locale = incoming.locale;

  const pages: PageVisit[] = [...(current.pages ?? [])];
  const visits = incoming.pages ?? (incoming.url ? [{ url: incoming.url, at: nowIso }] : []);
  for (const visit of visits) {
    if (pages.at(-1)?.url !== visit.url) pages.push(visit);
  }
  next.pages = pages.slice(-MAX_PAGES);

  if (incoming.attributes) {
    const attributes = { ...current.attributes };
    for (const [key, value] of Object.entries(incoming.attributes)) {
      if (value === null) delete attributes[key];
      else attributes[key] = value;
    }
    if (Object.keys(attributes).length > MAX_ATTRIBUTES) {
      throw new AppError(
        "bad_request",
        `A conversation keeps at most ${MAX_ATTRIBUTES} attributes`,
      );
    }
    next.attributes = attributes;
  }
  if (incoming.labels) next.labels = incoming.labels;
  return next;
}
