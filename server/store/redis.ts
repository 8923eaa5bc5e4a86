/**
 * The production store: Redis over TCP or the Upstash REST protocol (see `redis-driver.ts`).
 * Every operation is one Lua script (`redis-scripts.ts`), so every call is one round trip and
 * appends are atomic across instances.
 *
 * Keys, with prefix `ot`:
 * - `ot:{cid}:conv` hash, `ot:{cid}:log` list (index = seq - 1), `ot:{cid}:idem` hash clientId → seq
 * - `ot:inbox:<siteId>:<status>` zset of conversation ids scored by updatedAt (ms)
 * - `ot:contact:<id>` JSON, `ot:contact:<id>:convs` zset scored by createdAt (ms)
 * - `ot:ident:<siteId>:<kind>:<value>` → contact id, `ot:rl:<key>` rate-limit counters
 * - `ot:mark:<key>` high-water marks (`raiseMark`)
 * - `ot:cb:<id>` hash (doc, v, status) of a callback request; `ot:cbs:<site>:<status>` zsets
 *   scored by window start (active statuses) or last change (final ones); `ot:{cid}:cbs`
 * - `ot:feed:<siteId>`, `ot:deliveries:<siteId>`, `ot:audit:<siteId>` streams (the site logs:
 *   fields `b` body, `c` contact, `v` conversation, `t` feed type), trimmed to 7 days; the
 *   webhook queue's keys are described in `redis-scripts.ts`
 * - live notices on the channels `ot:live:<siteId>:<conversationId>` (`ot:live:<siteId>:` for
 *   the team's), so a subscription can take one conversation, one site, or all
 */
import type {
  CallbackRequest,
  Contact,
  Conversation,
  ConversationStatus,
  ThreadEvent,
} from "../../sdk/protocol.ts";
import { sha256Hex } from "../auth/bytes.ts";
import { AppError } from "../errors.ts";
import type { RedisDriver } from "./redis-driver.ts";
import * as lua from "./redis-scripts.ts";
import {
  conversationFeedData,
  feedBody,
  feedTypeOf,
  isActiveCallback,
  noticeConversationId,
  previewText,
  sortCallbacks,
} from "./shared.ts";
import type {
  AppendResult,
  AttachmentRecord,
  ConversationPatch,
  FeedType,
  LiveNotice,
  LogItem,
  NewEvent,
  NoticeScope,
  PresenceStatus,
  SiteLog,
  Store,
  Unsubscribe,
  WebhookClaim,
} from "./types.ts";
import { attachmentConversation, LOG_RETENTION_MS, MAX_EVENTS_PER_READ } from "./types.ts";

export interface RedisStoreOptions {
  /** Key prefix, so several deployments can share one database. Default `ot`. */
  prefix?: string;
  /** The base of the pub/sub channels live notices travel on. Default `<prefix>:live`. */
  channel?: string;
  /** Hears failures nobody awaits: a lost subscription, a throwing listener. Default console.error. */
  onError?: (error: unknown) => void;
}

const STATUSES: ConversationStatus[] = ["open", "pending", "resolved"];
/** Hash fields holding JSON documents; every other field is a plain string, lastSeq a number. */
const JSON_FIELDS = new Set(["channels", "context"]);
const PATCH_FIELDS = [
  "status",
  "assignee",
  "context",
  "channels",
  "activeChannel",
  "contactId",
  "updatedAt",
] as const;

/** Milliseconds for a zset score; a bad date is a programming error, not a user error. */
function ms(iso: string): string {
  const t = Date.parse(iso);
  if (!Number.isFinite(t)) throw new TypeError(`Not an ISO 8601 date: ${iso}`);
  return String(t);
}

function encodeField(name: string, value: unknown): string {
  if (JSON_FIELDS.has(name)) return JSON.stringify(value);
  return String(value);
}

/** field/value pairs for HSET, leaving out undefined fields (absent stays absent). */
function toPairs(record: object): string[] {
  const pairs: string[] = [];
  for (const [name, value] of Object.entries(record)) {
    if (value !== undefined) pairs.push(name, encodeField(name, value));
  }
  return pairs;
}

/** An HGETALL reply back into a conversation; null for a missing hash. */
function toConversation(reply: unknown): Conversation | null {
  if (!Array.isArray(reply) || reply.length === 0) return null;
  const record: Record<string, unknown> = {};
  for (let i = 0; i + 1 < reply.length; i += 2) {
    const name = String(reply[i]);
    const value = String(reply[i + 1]);
    record[name] = JSON_FIELDS.has(name)
      ? JSON.parse(value)
      : name === "lastSeq"
        ? Number(value)
        : value;
  }
  return record as unknown as Conversation;
}

/** A literal for a PSUBSCRIBE pattern: Redis's glob characters lose their meaning. */
const globEscape = (text: string) => text.replace(/[*?[\]\\]/g, "\\$&");

function strings(reply: unknown): string[] {
  return Array.isArray(reply) ? reply.map(String) : [];
}

/** A stream entry's flat field list as a record. */
function fieldsOf(flat: unknown): Record<string, string> {
  const list = strings(flat);
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < list.length; i += 2) out[list[i]!] = list[i + 1]!;
  return out;
}

/** The oldest stream id a site log keeps: XADD's MINID. */
const keptFrom = () => String(Date.now() - LOG_RETENTION_MS);

/**
 * A {@link Store} on Redis. Needs a single Redis node or Upstash (see the cross-slot note in
 * `redis-scripts.ts`). `close()` also closes the driver.
 *
 * @example
 * import { tcpDriver } from "../node/redis-tcp.ts";
 * const store = redisStore(tcpDriver("redis://127.0.0.1:6379"));
 * await store.createConversation(conversation);
 * const { event } = await store.append(conversation.id, newEvent);
 */
export function redisStore(driver: RedisDriver, options: RedisStoreOptions = {}): Store {
  const prefix = options.prefix ?? "ot";
  const channel = options.channel ?? `${prefix}:live`;
  const onError =
    options.onError ?? ((error: unknown) => console.error("omnithread redis store:", error));

  const key = {
    conv: (id: string) => `${prefix}:{${id}}:conv`,
    log: (id: string) => `${prefix}:{${id}}:log`,
    idem: (id: string) => `${prefix}:{${id}}:idem`,
    inbox: (siteId: string, status: string) => `${prefix}:inbox:${siteId}:${status}`,
    contact: (id: string) => `${prefix}:contact:${id}`,
    contactConvs: (id: string) => `${prefix}:contact:${id}:convs`,
    ident: (siteId: string, identity: { kind: string; value: string }) =>
      `${prefix}:ident:${siteId}:${identity.kind}:${identity.value}`,
    // Callers name these after ids and addresses: the key holds a hash of the name instead, so
    // nothing outliving an erasure names whom it was about.
    rate: async (name: string) => `${prefix}:rl:${await sha256Hex(name)}`,
    once: async (name: string) => `${prefix}:once:${await sha256Hex(name)}`,
    mark: async (name: string) => `${prefix}:mark:${await sha256Hex(name)}`,
    presence: (siteId: string) => `${prefix}:presence:${siteId}`,
    callback: (id: string) => `${prefix}:cb:${id}`,
    callbacksOf: (siteId: string) => `${prefix}:cbs:${siteId}:`,
    conversationCallbacks: (id: string) => `${prefix}:{${id}}:cbs`,
    siteLog: (siteId: string, log: string) => `${prefix}:${log}:${siteId}`,
    idle: (siteId: string) => `${prefix}:idle:${siteId}`,
    identsOf: (contactId: string) => `${prefix}:contact:${contactId}:idents`,
    onceOf: (conversationId: string) => `${prefix}:{${conversationId}}:once`,
    attachments: (conversationId: string) => `${prefix}:{${conversationId}}:att`,
  };

  /**
   * Deletes a site log's items about the contact or conversations, a page per round trip, from
   * `after` on; answers where it stopped (the last cursor it read).
   */
  async function scrub(
    siteId: string,
    log: SiteLog,
    target: { contactId?: string; ids: string },
    after: string | undefined,
  ): Promise<string | undefined> {
    let from = after;
    for (;;) {
      const reply = await driver.run(
        lua.SCRUB_LOG,
        [key.siteLog(siteId, log)],
        [from === undefined ? "-" : `(${from}`, "1000", target.contactId ?? "", target.ids],
      );
      const last = Array.isArray(reply) ? String(reply[0]) : "";
      if (last === "") return from;
      from = last;
    }
  }
  const documents = (reply: unknown) =>
    strings(reply).map((json) => JSON.parse(json) as CallbackRequest);

  /**
   * Notices travel on `<channel>:<siteId>:<conversationId>` (a team-wide one, presence, on
   * `<channel>:<siteId>:`): a subscription hears everything by pattern, a site's by pattern, or
   * one conversation's by name, and every notice is published once.
   */
  const channelOf = (siteId: string, conversationId: string | null) =>
    `${channel}:${siteId}:${conversationId ?? ""}`;

  // The unscoped listeners share one driver subscription, opened by the first and kept until
  // close(); each scoped listener has its own.
  const listeners = new Set<(notice: LiveNotice) => void>();
  let subscription: Promise<() => Promise<void>> | undefined;
  const scopedStops = new Set<() => Promise<void>>();
  let closed = false;

  function deliver(listener: (notice: LiveNotice) => void, message: string): void {
    try {
      // Each listener parses its own copy, as with the memory store.
      listener(JSON.parse(message) as LiveNotice);
    } catch (error) {
      onError(error);
    }
  }

  function dispatch(message: string): void {
    for (const listener of [...listeners]) deliver(listener, message);
  }

  function listen(): Promise<() => Promise<void>> {
    subscription ??= driver
      .psubscribe(`${globEscape(channel)}:*`, dispatch)
      .catch((error: unknown) => {
        subscription = undefined; // the next subscribe() tries again
        throw error;
      });
    return subscription;
  }

  async function listenScoped(
    listener: (notice: LiveNotice) => void,
    scope: NoticeScope,
  ): Promise<Unsubscribe> {
    const hear = (message: string) => deliver(listener, message);
    const stop =
      scope.conversationId === undefined
        ? await driver.psubscribe(`${globEscape(channelOf(scope.siteId, null))}*`, hear)
        : await driver.subscribe(channelOf(scope.siteId, scope.conversationId), hear);
    if (closed) {
      await stop();
      return () => {};
    }
    scopedStops.add(stop);
    return () => {
      if (scopedStops.delete(stop)) void stop().catch(onError);
    };
  }

  return {
    async createContact(contact) {
      await driver.run(lua.SET, [key.contact(contact.id)], [JSON.stringify(contact)]);
    },
    async getContact(id) {
      const json = await driver.run(lua.GET, [key.contact(id)], []);
      return typeof json === "string" ? (JSON.parse(json) as Contact) : null;
    },
    async saveContact(contact) {
      const body = feedBody("contact.updated", new Date().toISOString(), {
        contactId: contact.id,
        contact,
      });
      await driver.run(
        lua.SAVE_CONTACT,
        [key.contact(contact.id), key.siteLog(contact.siteId, "feed")],
        [JSON.stringify(contact), keptFrom(), contact.id, body],
      );
    },
    async claimIdentity(siteId, identity, contactId) {
      return String(
        await driver.run(
          lua.CLAIM,
          [key.ident(siteId, identity), key.identsOf(contactId)],
          [contactId],
        ),
      );
    },
    async findContactId(siteId, identity) {
      const owner = await driver.run(lua.GET, [key.ident(siteId, identity)], []);
      return typeof owner === "string" ? owner : null;
    },

    async createConversation(conversation) {
      const created = await driver.run(
        lua.CREATE_CONVERSATION,
        [
          key.conv(conversation.id),
          key.inbox(conversation.siteId, conversation.status),
          key.contactConvs(conversation.contactId),
          key.siteLog(conversation.siteId, "feed"),
          key.idle(conversation.siteId),
        ],
        [
          conversation.id,
          ms(conversation.updatedAt),
          ms(conversation.createdAt),
          keptFrom(),
          conversation.contactId,
          feedBody(
            "conversation.created",
            conversation.createdAt,
            conversationFeedData(conversation),
          ),
          ...toPairs(conversation),
        ],
      );
      if (Number(created) !== 1) throw new AppError("conflict", "Conversation exists");
    },
    async getConversation(id) {
      return toConversation(await driver.run(lua.HGETALL, [key.conv(id)], []));
    },
    async updateConversation(id: string, patch: ConversationPatch) {
      // Only the patchable fields: a stray siteId or id must never reach the hash.
      const fields: Record<string, unknown> = {};
      for (const name of PATCH_FIELDS) {
        const value = patch[name];
        if (value !== undefined && value !== null) fields[name] = value;
      }
      const reply = await driver.run(
        lua.UPDATE_CONVERSATION,
        [key.conv(id)],
        [prefix, id, ms(patch.updatedAt), patch.assignee === null ? "1" : "", ...toPairs(fields)],
      );
      return toConversation(reply);
    },
    async listConversations(siteId, listOptions = {}) {
      const limit = Math.floor(listOptions.limit ?? 50);
      if (!(limit > 0)) return [];
      const statuses = listOptions.status ? [listOptions.status] : STATUSES;
      const reply = await driver.run(
        lua.LIST_CONVERSATIONS,
        statuses.map((status) => key.inbox(siteId, status)),
        [prefix, String(limit)],
      );
      return (Array.isArray(reply) ? reply : []).map(toConversation).filter((c) => c !== null);
    },
    async contactConversationIds(contactId) {
      return strings(await driver.run(lua.ZRANGE, [key.contactConvs(contactId)], []));
    },

    async append(conversationId: string, input: NewEvent): Promise<AppendResult> {
      // The script prepends `{"id":…,"seq":…,` to this JSON: strip any id/seq the caller passed.
      const { id: _id, seq: _seq, ...fields } = input as NewEvent & { id?: unknown; seq?: unknown };
      const body = JSON.stringify(fields).slice(1);
      const preview = previewText({ ...fields, id: "", seq: 0 });
      const visitorMessage = input.type === "message" && input.author.role === "visitor";
      const reply = await driver.run(
        lua.APPEND,
        [key.conv(conversationId), key.log(conversationId), key.idem(conversationId)],
        [
          conversationId,
          JSON.stringify(conversationId),
          body,
          input.clientId ?? "",
          preview === undefined ? "" : "1",
          preview ?? "",
          visitorMessage ? "1" : "",
          input.channel,
          input.createdAt,
          ms(input.createdAt),
          prefix,
          channel,
          feedTypeOf(input) ?? "",
          keptFrom(),
        ],
      );
      if (!Array.isArray(reply)) throw new AppError("not_found", "No conversation with that id");
      const assignee = reply[2] ? String(reply[2]) : "";
      return {
        event: JSON.parse(String(reply[0])) as ThreadEvent,
        duplicate: Number(reply[1]) === 1,
        ...(assignee ? { assignee } : {}),
      };
    },
    async eventsAfter(conversationId, after, limit = MAX_EVENTS_PER_READ) {
      const count = Math.min(Math.floor(limit), MAX_EVENTS_PER_READ);
      if (!(count > 0)) return [];
      const from = Number.isFinite(after) ? Math.max(0, Math.floor(after)) : 0;
      const reply = await driver.run(
        lua.LRANGE,
        [key.log(conversationId)],
        [String(from), String(from + count - 1)],
      );
      return strings(reply).map((json) => JSON.parse(json) as ThreadEvent);
    },

    async saveCallback(callback, expected) {
      const score = isActiveCallback(callback.status) ? callback.window.from : callback.updatedAt;
      const saved = await driver.run(
        lua.SAVE_CALLBACK,
        [
          key.callback(callback.id),
          key.callbacksOf(callback.siteId) + callback.status,
          key.conversationCallbacks(callback.conversationId),
        ],
        [
          String(expected),
          String(callback.version),
          JSON.stringify(callback),
          callback.id,
          callback.status,
          ms(score),
          ms(callback.createdAt),
          key.callbacksOf(callback.siteId),
        ],
      );
      return Number(saved) === 1;
    },
    async getCallback(id) {
      const json = await driver.run(lua.HGET, [key.callback(id)], ["doc"]);
      return typeof json === "string" ? (JSON.parse(json) as CallbackRequest) : null;
    },
    async listCallbacks(siteId, statuses, limit = 100) {
      const count = Math.floor(limit);
      if (!(count > 0) || statuses.length === 0) return [];
      const queue = statuses.every(isActiveCallback);
      const reply = await driver.run(
        lua.LIST_CALLBACKS,
        statuses.map((status) => key.callbacksOf(siteId) + status),
        [String(count), queue ? "asc" : "desc", key.callback("")],
      );
      return sortCallbacks(documents(reply), statuses);
    },
    async conversationCallbacks(conversationId) {
      return documents(
        await driver.run(
          lua.CONVERSATION_CALLBACKS,
          [key.conversationCallbacks(conversationId)],
          [key.callback("")],
        ),
      );
    },

    async readLog(siteId, log, after, limit) {
      const count = Math.floor(limit);
      if (!(count > 0)) return [];
      const reply = await driver.run(
        lua.READ_LOG,
        [key.siteLog(siteId, log)],
        [after === undefined ? "-" : `(${after}`, String(count)],
      );
      return (Array.isArray(reply) ? reply : []).map(
        (entry): LogItem => ({ cursor: String(entry[0]), body: fieldsOf(entry[1]).b ?? "" }),
      );
    },
    async writeLog(siteId, log, body, refs) {
      const pairs = ["b", body];
      if (refs.contactId) pairs.push("c", refs.contactId);
      if (refs.conversationId) pairs.push("v", refs.conversationId);
      return String(
        await driver.run(lua.WRITE_LOG, [key.siteLog(siteId, log)], [keptFrom(), ...pairs]),
      );
    },

    async queueWebhooks(siteId, endpoints, now) {
      const pairs = endpoints.flatMap((e) => [e.id, `,${e.events.join(",")},`]);
      if (pairs.length === 0) return 0;
      return Number(
        await driver.run(lua.QUEUE_WEBHOOKS, [], [prefix, siteId, String(now), ...pairs]),
      );
    },
    async claimWebhooks(now, leaseMs, limit) {
      const count = Math.floor(limit);
      if (!(count > 0)) return [];
      const reply = await driver.run(
        lua.CLAIM_WEBHOOKS,
        [],
        [prefix, String(Math.floor(now)), String(Math.ceil(leaseMs)), String(count)],
      );
      return (Array.isArray(reply) ? reply : []).map((row): WebhookClaim => {
        const [lane, token, attempt, head, flat] = row as [string, string, number, string, unknown];
        const [siteId = "", endpointId = ""] = String(lane).split(":");
        const f = fieldsOf(flat);
        return {
          lane: String(lane),
          token: String(token),
          siteId,
          endpointId,
          attempt: Number(attempt),
          item: f.b && f.t ? { cursor: String(head), body: f.b, type: f.t as FeedType } : null,
          refs: {
            ...(f.c ? { contactId: f.c } : {}),
            ...(f.v ? { conversationId: f.v } : {}),
          },
        };
      });
    },
    async settleWebhook(claim, outcome, now) {
      const settled = await driver.run(
        lua.SETTLE_WEBHOOK,
        [],
        [
          prefix,
          claim.lane,
          claim.token,
          outcome.result,
          outcome.result === "retry" ? String(Math.floor(outcome.retryAt)) : "",
          String(Math.floor(now)),
          keptFrom(),
          outcome.log ?? "",
          claim.refs.contactId ?? "",
          claim.refs.conversationId ?? "",
        ],
      );
      return Number(settled) === 1;
    },

    async expiring(siteId, cutoffs, limit) {
      const count = Math.floor(limit);
      if (!(count > 0)) return [];
      const reply = await driver.run(
        lua.EXPIRING,
        [key.inbox(siteId, "resolved"), key.idle(siteId)],
        [
          cutoffs.resolvedBefore === undefined ? "" : String(Math.floor(cutoffs.resolvedBefore)),
          String(Math.floor(cutoffs.idleBefore)),
          String(count),
        ],
      );
      return [...new Set(strings(reply))];
    },
    async erase(siteId, target) {
      const contact = target.contactId ? await this.getContact(target.contactId) : null;
      const identities = (contact?.siteId === siteId ? contact.identities : []).map((identity) =>
        key.ident(siteId, identity),
      );
      const refs = {
        ...(target.contactId ? { contactId: target.contactId } : {}),
        ids: `,${target.conversationIds.join(",")},`,
      };
      const logs: SiteLog[] = ["feed", "deliveries", "audit"];
      // The logs first, so no webhook round finds the items while the rest goes; then everything
      // else at once; then the logs again from where the first pass stopped, for what was written
      // meanwhile (nothing can be after the second step: the conversations are gone).
      const stops = await Promise.all(logs.map((log) => scrub(siteId, log, refs, undefined)));
      const reply = await driver.run(
        lua.ERASE,
        [],
        [
          prefix,
          siteId,
          target.contactId ?? "",
          String(target.conversationIds.length),
          ...target.conversationIds,
          ...identities,
        ],
      );
      await Promise.all(logs.map((log, i) => scrub(siteId, log, refs, stops[i])));
      const [conversations = 0, events = 0] = Array.isArray(reply) ? reply.map(Number) : [];
      return { conversations, events };
    },

    async setPresence(siteId, email, status, expiresAt) {
      const value = status ? `${status}:${Math.floor(expiresAt)}` : "";
      await driver.run(
        lua.SET_PRESENCE,
        [key.presence(siteId)],
        [email, value, String(Date.now())],
      );
    },
    async presence(siteId, at) {
      const flat = strings(await driver.run(lua.HGETALL, [key.presence(siteId)], []));
      const out: Record<string, PresenceStatus> = {};
      for (let i = 0; i + 1 < flat.length; i += 2) {
        const [status, expires] = flat[i + 1]!.split(":");
        if (Number(expires) > at && (status === "online" || status === "away"))
          out[flat[i]!] = status;
      }
      return out;
    },

    async putOnce(name, value, ttlMs, owner) {
      await driver.run(
        lua.PUT_ONCE,
        [await key.once(name), ...(owner ? [key.onceOf(owner)] : [])],
        [value, String(Math.max(1, Math.ceil(ttlMs)))],
      );
    },
    async takeOnce(name) {
      const reply = await driver.run(lua.TAKE_ONCE, [await key.once(name)], []);
      return typeof reply === "string" ? reply : null;
    },
    async peekOnce(name) {
      const reply = await driver.run(lua.PEEK_ONCE, [await key.once(name)], []);
      return typeof reply === "string" ? reply : null;
    },

    async saveAttachment(record) {
      await driver.run(
        lua.HASH_SET,
        [key.attachments(record.conversationId)],
        [record.id, JSON.stringify(record)],
      );
    },
    async getAttachment(id) {
      const conversationId = attachmentConversation(id);
      if (!conversationId) return null;
      const reply = await driver.run(lua.HASH_GET, [key.attachments(conversationId)], [id]);
      return typeof reply === "string" ? (JSON.parse(reply) as AttachmentRecord) : null;
    },
    async conversationAttachments(conversationId) {
      const reply = await driver.run(lua.HASH_VALUES, [key.attachments(conversationId)], []);
      return (Array.isArray(reply) ? reply : [])
        .map((value) => JSON.parse(String(value)) as AttachmentRecord)
        .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    },

    async raiseMark(name, value, ttlMs) {
      const reply = await driver.run(
        lua.RAISE_MARK,
        [await key.mark(name)],
        [String(Math.max(0, Math.floor(value))), String(Math.max(1, Math.ceil(ttlMs)))],
      );
      return Number(reply) || 0;
    },

    async hit(name, windowMs) {
      const reply = await driver.run(
        lua.HIT,
        [await key.rate(name)],
        [String(Math.max(1, Math.ceil(windowMs)))],
      );
      const [count, ttl] = Array.isArray(reply) ? reply.map(Number) : [];
      return { count: count ?? 1, resetMs: Math.max(0, ttl ?? 0) };
    },

    async publish(notice) {
      await driver.run(
        lua.PUBLISH,
        [],
        [channelOf(notice.siteId, noticeConversationId(notice)), JSON.stringify(notice)],
      );
    },
    async subscribe(listener, scope) {
      if (closed) return () => {};
      if (scope) return listenScoped(listener, scope);
      listeners.add(listener);
      try {
        await listen();
      } catch (error) {
        listeners.delete(listener);
        throw error;
      }
      return () => {
        listeners.delete(listener);
      };
    },

    async ping() {
      await driver.run(lua.PING, [], []);
    },

    async close() {
      if (closed) return;
      closed = true;
      listeners.clear();
      const stops = [...scopedStops];
      scopedStops.clear();
      const shared = await subscription?.catch(() => undefined);
      await Promise.all([shared, ...stops].map((stop) => stop?.().catch(onError)));
      await driver.close();
    },
  };
}
