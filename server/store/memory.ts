import type { CallbackRequest, Contact, Conversation, ThreadEvent } from "../../sdk/protocol.ts";
import { AppError } from "../errors.ts";
import {
  applyAppend,
  applyPatch,
  compareCursors,
  conversationFeedData,
  eventId,
  feedBody,
  feedTypeOf,
  inScope,
  laneGroup,
  previewText,
  sortCallbacks,
} from "./shared.ts";
import {
  type AppendResult,
  type AttachmentRecord,
  attachmentConversation,
  type ConversationPatch,
  type FeedType,
  type ListOptions,
  type LiveNotice,
  LOG_RETENTION_MS,
  type LogItem,
  type LogRefs,
  MAX_EVENTS_PER_READ,
  type NewEvent,
  type PresenceStatus,
  type RateHit,
  type Store,
  type Unsubscribe,
  type WebhookClaim,
} from "./types.ts";

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

/**
 * A frozen deep copy, like `deepFreeze(structuredClone(value))` but about 2× faster on the plain
 * data events are made of (the hot path of every message); anything else (Dates, class
 * instances) still goes through structuredClone.
 */
function frozenCopy<T>(value: T): T {
  if (typeof value !== "object" || value === null) {
    // Functions and symbols cannot be stored: structuredClone throws its DataCloneError.
    return typeof value === "function" || typeof value === "symbol"
      ? structuredClone(value)
      : value;
  }
  if (Array.isArray(value)) return Object.freeze(value.map(frozenCopy)) as T;
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return deepFreeze(structuredClone(value));
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const inner = frozenCopy((value as Record<string, unknown>)[key]);
    // An own "__proto__" key stays a key, as structuredClone keeps it.
    if (key === "__proto__")
      Object.defineProperty(out, key, {
        value: inner,
        enumerable: true,
        writable: true,
        configurable: true,
      });
    else out[key] = inner;
  }
  return Object.freeze(out) as T;
}

interface StoredItem extends LogItem {
  refs: LogRefs;
  type?: FeedType;
}

interface Thread {
  conversation: Conversation;
  log: ThreadEvent[];
  seqByKey: Map<string, number>;
}

/**
 * The embedded store: everything in this process's memory, gone on restart. For the demo, unit
 * tests and single-process trials; production runs the redis store.
 *
 * @example
 * const store = memoryStore();
 * await store.createConversation(conversation);
 */
export function memoryStore(options: { now?: () => number } = {}): Store {
  const now = options.now ?? Date.now;
  const threads = new Map<string, Thread>();
  const contacts = new Map<string, Contact>();
  const identities = new Map<string, string>();
  const conversationsOfContact = new Map<string, string[]>();
  const windows = new Map<string, { count: number; resetAt: number }>();
  const once = new Map<string, { value: string; expiresAt: number; owner?: string }>();
  /** Attachment records by conversation, then id. */
  const attachments = new Map<string, Map<string, AttachmentRecord>>();
  const marks = new Map<string, { value: number; expiresAt: number }>();
  const present = new Map<string, Map<string, { status: PresenceStatus; expiresAt: number }>>();
  const listeners = new Set<(notice: LiveNotice) => void>();
  const callbacks = new Map<string, CallbackRequest>();
  const logs = new Map<string, StoredItem[]>();
  let lastCursor = "0-0";
  // The webhook queue, as the redis store keeps it: lanes `<site>:<endpoint>:<group>` of feed
  // cursors, when each is due next, its attempts, each endpoint's place in the feed.
  const lanes = new Map<string, string[]>();
  const due = new Map<string, number>();
  const attempts = new Map<string, number>();
  const queued = new Map<string, string>();
  const switchedOff = new Set<string>();

  function addItem(siteId: string, log: string, body: string, refs: LogRefs, type?: FeedType) {
    const t = now();
    const [lastMs = 0, lastN = 0] = lastCursor.split("-").map(Number);
    lastCursor = t > lastMs ? `${t}-0` : `${lastMs}-${lastN + 1}`;
    const items = logs.get(`${siteId}:${log}`) ?? [];
    logs.set(`${siteId}:${log}`, items);
    items.push({ cursor: lastCursor, body, refs: { ...refs }, ...(type ? { type } : {}) });
    const oldest = `${t - LOG_RETENTION_MS}-0`;
    while (items.length > 0 && compareCursors(items[0]!.cursor, oldest) < 0) items.shift();
    return lastCursor;
  }

  function feedItem(conversation: Conversation, type: FeedType, at: string, extra = {}) {
    const data = { ...conversationFeedData(conversation), ...extra };
    addItem(
      conversation.siteId,
      "feed",
      feedBody(type, at, data),
      { conversationId: conversation.id, contactId: conversation.contactId },
      type,
    );
  }

  function dropLane(lane: string) {
    lanes.delete(lane);
    due.delete(lane);
    attempts.delete(lane);
  }

  const identityKey = (siteId: string, identity: { kind: string; value: string }) =>
    `${siteId}\u0000${identity.kind}\u0000${identity.value}`;

  function emit(notice: LiveNotice): void {
    // One copy for all listeners, as off the wire: they share it and never change it.
    const copy = structuredClone(notice);
    for (const listener of listeners) listener(copy);
  }

  const assigneeOf = (t: Thread) =>
    t.conversation.assignee ? { assignee: t.conversation.assignee } : {};

  function thread(id: string): Thread {
    const found = threads.get(id);
    if (!found) throw new AppError("not_found", "No conversation with that id");
    return found;
  }

  return {
    async createContact(contact) {
      contacts.set(contact.id, structuredClone(contact));
    },
    async getContact(id) {
      const contact = contacts.get(id);
      return contact ? structuredClone(contact) : null;
    },
    async saveContact(contact) {
      contacts.set(contact.id, structuredClone(contact));
      const body = feedBody("contact.updated", new Date(now()).toISOString(), {
        contactId: contact.id,
        contact,
      });
      addItem(contact.siteId, "feed", body, { contactId: contact.id }, "contact.updated");
    },
    async claimIdentity(siteId, identity, contactId) {
      const key = identityKey(siteId, identity);
      const owner = identities.get(key);
      if (owner) return owner;
      identities.set(key, contactId);
      return contactId;
    },
    async findContactId(siteId, identity) {
      return identities.get(identityKey(siteId, identity)) ?? null;
    },

    async createConversation(conversation) {
      if (threads.has(conversation.id)) throw new AppError("conflict", "Conversation exists");
      threads.set(conversation.id, {
        conversation: structuredClone(conversation),
        log: [],
        seqByKey: new Map(),
      });
      const ids = conversationsOfContact.get(conversation.contactId) ?? [];
      ids.push(conversation.id);
      conversationsOfContact.set(conversation.contactId, ids);
      feedItem(conversation, "conversation.created", conversation.createdAt);
    },
    async getConversation(id) {
      const found = threads.get(id);
      return found ? structuredClone(found.conversation) : null;
    },
    async updateConversation(id: string, patch: ConversationPatch) {
      const found = threads.get(id);
      if (!found) return null;
      const from = found.conversation.contactId;
      found.conversation = applyPatch(found.conversation, patch);
      if (patch.contactId && patch.contactId !== from) {
        conversationsOfContact.set(
          from,
          (conversationsOfContact.get(from) ?? []).filter((c) => c !== id),
        );
        conversationsOfContact.set(patch.contactId, [
          ...(conversationsOfContact.get(patch.contactId) ?? []),
          id,
        ]);
      }
      return structuredClone(found.conversation);
    },
    async listConversations(siteId: string, options: ListOptions = {}) {
      const limit = options.limit ?? 50;
      return [...threads.values()]
        .map((t) => t.conversation)
        .filter((c) => c.siteId === siteId && (!options.status || c.status === options.status))
        .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt))
        .slice(0, limit)
        .map((c) => structuredClone(c));
    },
    async contactConversationIds(contactId) {
      return [...(conversationsOfContact.get(contactId) ?? [])];
    },

    async append(conversationId: string, input: NewEvent): Promise<AppendResult> {
      const found = thread(conversationId);
      const seenSeq = input.clientId ? found.seqByKey.get(input.clientId) : undefined;
      if (seenSeq !== undefined) {
        return { event: found.log[seenSeq - 1]!, duplicate: true, ...assigneeOf(found) };
      }
      const seq = found.log.length + 1;
      // Copied once from the caller's input and frozen: the log, the live notice and the answer
      // share it (the hot path of every message), and nobody can change what was stored.
      // The spread is already a fresh object: only its values need copying before it is frozen.
      const fresh: Record<string, unknown> = { id: eventId(conversationId, seq), seq, ...input };
      for (const key of Object.keys(fresh)) fresh[key] = frozenCopy(fresh[key]);
      const event = Object.freeze(fresh) as unknown as ThreadEvent;
      found.log.push(event);
      if (input.clientId) found.seqByKey.set(input.clientId, seq);
      found.conversation = applyAppend(found.conversation, event, previewText(event));
      const type = feedTypeOf(event);
      if (type) feedItem(found.conversation, type, event.createdAt, { event });
      for (const listener of listeners) {
        listener({ kind: "event", siteId: found.conversation.siteId, conversationId, event });
      }
      return { event, duplicate: false, ...assigneeOf(found) };
    },
    async eventsAfter(conversationId, after, limit = MAX_EVENTS_PER_READ) {
      const found = threads.get(conversationId);
      if (!found) return [];
      const from = Math.max(0, Math.floor(after));
      return found.log.slice(from, from + Math.min(limit, MAX_EVENTS_PER_READ));
    },

    async saveCallback(callback, expected) {
      if ((callbacks.get(callback.id)?.version ?? 0) !== expected) return false;
      callbacks.set(callback.id, structuredClone(callback));
      return true;
    },
    async getCallback(id) {
      const found = callbacks.get(id);
      return found ? structuredClone(found) : null;
    },
    async listCallbacks(siteId, statuses, limit = 100) {
      const found = [...callbacks.values()].filter(
        (c) => c.siteId === siteId && statuses.includes(c.status),
      );
      return sortCallbacks(found, statuses)
        .slice(0, limit)
        .map((c) => structuredClone(c));
    },
    async conversationCallbacks(conversationId) {
      return [...callbacks.values()]
        .filter((c) => c.conversationId === conversationId)
        .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
        .map((c) => structuredClone(c));
    },

    async readLog(siteId, log, after, limit) {
      const items = logs.get(`${siteId}:${log}`) ?? [];
      const from =
        after === undefined ? 0 : items.findIndex((i) => compareCursors(i.cursor, after) > 0);
      if (from < 0) return [];
      return items
        .slice(from, from + Math.max(0, limit))
        .map(({ cursor, body }) => ({ cursor, body }));
    },
    async writeLog(siteId, log, body, refs) {
      return addItem(siteId, log, body, refs);
    },

    async queueWebhooks(siteId, endpoints, at) {
      const feed = logs.get(`${siteId}:feed`) ?? [];
      let count = 0;
      for (const endpoint of endpoints) {
        const place = `${siteId}:${endpoint.id}`;
        if (switchedOff.has(place)) continue;
        const from = queued.get(place);
        queued.set(place, feed.at(-1)?.cursor ?? from ?? "0-0");
        if (from === undefined) continue; // a new endpoint starts at the end
        for (const item of feed) {
          if (compareCursors(item.cursor, from) <= 0 || !item.type) continue;
          if (!endpoint.events.includes(item.type)) continue;
          const lane = `${place}:${laneGroup(item.refs)}`;
          const waiting = lanes.get(lane) ?? [];
          lanes.set(lane, waiting);
          waiting.push(item.cursor);
          if (!due.has(lane)) due.set(lane, at);
          count += 1;
        }
      }
      return count;
    },
    async claimWebhooks(at, leaseMs, limit) {
      const ready = [...due].filter(([, when]) => when <= at).sort((a, b) => a[1] - b[1]);
      const claims: WebhookClaim[] = [];
      for (const [lane] of ready.slice(0, Math.max(0, limit))) {
        const head = lanes.get(lane)?.[0];
        if (head === undefined) {
          dropLane(lane);
          continue;
        }
        const [siteId = "", endpointId = ""] = lane.split(":");
        due.set(lane, at + leaseMs);
        const attempt = (attempts.get(lane) ?? 0) + 1;
        attempts.set(lane, attempt);
        const found = logs.get(`${siteId}:feed`)?.find((i) => i.cursor === head);
        claims.push({
          lane,
          token: String(at + leaseMs),
          siteId,
          endpointId,
          attempt,
          item: found?.type ? { cursor: head, body: found.body, type: found.type } : null,
          refs: { ...found?.refs },
        });
      }
      return claims;
    },
    async settleWebhook(claim, outcome, at) {
      if (due.get(claim.lane) !== Number(claim.token)) return false;
      if (outcome.log) addItem(claim.siteId, "deliveries", outcome.log, claim.refs);
      if (outcome.result === "retry") {
        due.set(claim.lane, outcome.retryAt);
      } else if (outcome.result === "disabled") {
        const place = `${claim.siteId}:${claim.endpointId}`;
        switchedOff.add(place);
        for (const lane of [...lanes.keys()]) if (lane.startsWith(`${place}:`)) dropLane(lane);
      } else {
        const waiting = lanes.get(claim.lane) ?? [];
        waiting.shift();
        attempts.delete(claim.lane);
        if (waiting.length > 0) due.set(claim.lane, at);
        else dropLane(claim.lane);
      }
      return true;
    },

    async expiring(siteId, cutoffs, limit) {
      const due: string[] = [];
      const { resolvedBefore } = cutoffs;
      const mine = [...threads.values()].filter((t) => t.conversation.siteId === siteId);
      if (resolvedBefore !== undefined) {
        for (const { conversation: c } of mine) {
          if (c.status === "resolved" && Date.parse(c.updatedAt) < resolvedBefore) due.push(c.id);
        }
      }
      for (const { conversation: c, log } of mine) {
        const written = log.some((e) => e.type === "message" && e.author.role === "visitor");
        if (!written && Date.parse(c.createdAt) < cutoffs.idleBefore) due.push(c.id);
      }
      return [...new Set(due)].slice(0, Math.max(0, limit));
    },
    async erase(siteId, target) {
      const ids = new Set(
        target.conversationIds.filter((id) => threads.get(id)?.conversation.siteId === siteId),
      );
      let events = 0;
      for (const id of ids) {
        const { conversation, log } = threads.get(id)!;
        events += log.length;
        threads.delete(id);
        const theirs = conversationsOfContact.get(conversation.contactId) ?? [];
        conversationsOfContact.set(
          conversation.contactId,
          theirs.filter((c) => c !== id),
        );
      }
      for (const [id, callback] of callbacks)
        if (ids.has(callback.conversationId)) callbacks.delete(id);
      for (const [key, value] of once) if (value.owner && ids.has(value.owner)) once.delete(key);
      for (const id of ids) attachments.delete(id);
      const about = (refs: LogRefs) =>
        (refs.conversationId !== undefined && ids.has(refs.conversationId)) ||
        (target.contactId !== undefined && refs.contactId === target.contactId);
      for (const [name, items] of logs) {
        if (name.startsWith(`${siteId}:`))
          logs.set(
            name,
            items.filter((item) => !about(item.refs)),
          );
      }
      const groups = new Set([...ids, ...(target.contactId ? [`c.${target.contactId}`] : [])]);
      for (const lane of [...lanes.keys()]) {
        const [laneSite, , ...group] = lane.split(":");
        if (laneSite === siteId && groups.has(group.join(":"))) dropLane(lane);
      }
      const contactId = target.contactId;
      if (contactId && contacts.get(contactId)?.siteId === siteId) {
        contacts.delete(contactId);
        conversationsOfContact.delete(contactId);
        for (const [key, owner] of identities) if (owner === contactId) identities.delete(key);
      }
      return { conversations: ids.size, events };
    },

    async setPresence(siteId, email, status, expiresAt) {
      const site = present.get(siteId) ?? new Map();
      present.set(siteId, site);
      if (status) site.set(email, { status, expiresAt });
      else site.delete(email);
    },
    async presence(siteId, at) {
      const out: Record<string, PresenceStatus> = {};
      for (const [email, p] of present.get(siteId) ?? [])
        if (p.expiresAt > at) out[email] = p.status;
      return out;
    },

    async putOnce(key, value, ttlMs, owner) {
      once.set(key, { value, expiresAt: now() + ttlMs, ...(owner ? { owner } : {}) });
    },
    async takeOnce(key) {
      const found = once.get(key);
      once.delete(key);
      return found && found.expiresAt > now() ? found.value : null;
    },
    async peekOnce(key) {
      const found = once.get(key);
      return found && found.expiresAt > now() ? found.value : null;
    },

    async saveAttachment(record) {
      const of = attachments.get(record.conversationId) ?? new Map();
      attachments.set(record.conversationId, of);
      of.set(record.id, { ...record });
    },
    async getAttachment(id) {
      const found = attachments.get(attachmentConversation(id) ?? "")?.get(id);
      return found ? { ...found } : null;
    },
    async conversationAttachments(conversationId) {
      return [...(attachments.get(conversationId)?.values() ?? [])]
        .map((r) => ({ ...r }))
        .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    },

    async raiseMark(key, value, ttlMs) {
      const t = now();
      if (marks.size > 10_000) {
        for (const [k, m] of marks) if (m.expiresAt <= t) marks.delete(k);
      }
      const found = marks.get(key);
      const current = found && found.expiresAt > t ? found.value : 0;
      if (value > current) {
        marks.set(key, { value, expiresAt: t + ttlMs });
        return value;
      }
      if (!found || found.expiresAt <= t) marks.delete(key);
      return current;
    },

    async hit(key: string, windowMs: number): Promise<RateHit> {
      const t = now();
      if (windows.size > 10_000) {
        for (const [k, w] of windows) if (w.resetAt <= t) windows.delete(k);
      }
      let window = windows.get(key);
      if (!window || window.resetAt <= t) {
        window = { count: 0, resetAt: t + windowMs };
        windows.set(key, window);
      }
      window.count += 1;
      return { count: window.count, resetMs: window.resetAt - t };
    },

    async publish(notice) {
      emit(notice);
    },
    async subscribe(listener, scope): Promise<Unsubscribe> {
      const heard = scope
        ? (notice: LiveNotice) => {
            if (inScope(notice, scope)) listener(notice);
          }
        : listener;
      listeners.add(heard);
      return () => listeners.delete(heard);
    },
    async ping() {},

    async close() {
      listeners.clear();
    },
  };
}
