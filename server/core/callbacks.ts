import type {
  Agent,
  CallbackRequest,
  CallbackStatus,
  CallbackWindow,
  CallbackWindowsResponse,
  Conversation,
  ThreadEvent,
} from "../../sdk/protocol.ts";
import type { SiteConfig } from "../config.ts";
import { AppError } from "../errors.ts";
import { ACTIVE_CALLBACK_STATUSES, isActiveCallback } from "../store/shared.ts";
import type { Store } from "../store/types.ts";
import {
  type AskedWindow,
  asapWindow,
  callbackRules,
  checkWindow,
  offeredWindows,
} from "./callback-hours.ts";
import { defaultCountry, normalizePhone } from "./phone.ts";
import type { Threads } from "./threads.ts";

/** Where each status may go next; the final ones go nowhere. A scheduled call may move. */
const NEXT: Record<CallbackStatus, readonly CallbackStatus[]> = {
  requested: ["scheduled", "completed", "missed", "cancelled"],
  scheduled: ["scheduled", "completed", "missed", "cancelled"],
  completed: [],
  missed: [],
  cancelled: [],
};

/** A change read from a stale copy is retried on a fresh one this often before giving up. */
const SAVE_ATTEMPTS = 4;
const NOTE_CHARS = 1000;

export interface CallbacksDeps {
  store: Store;
  threads: Threads;
  site: (id: string) => SiteConfig;
  /** The sites whose queues the sweep looks after. */
  siteIds: () => string[];
  now: () => number;
  newId: () => string;
  /** Every saved change, after its thread event (channels confirm it, e.g. by email). */
  changed?: (callback: CallbackRequest, conversation: Conversation) => void;
  /** A scheduled call is `remindMinutes` away: channels remind the visitor (e.g. by text). */
  due?: (callback: CallbackRequest, conversation: Conversation) => void;
}

/** What a visitor asks for, as the channel read it from the wire. */
/** A visitor's callback request, as its schema read it (`CallbackHandoff`, server/schema/visitor.ts). */
export interface CallbackAsk {
  phone: string;
  country?: string;
  window: AskedWindow;
  timeZone: string;
  note?: string;
  email?: string;
}

/** What an agent changes: `PATCH /v1/agent/callbacks/:id`, already type-checked. */
export interface CallbackChange {
  claim?: boolean;
  status?: Exclude<CallbackStatus, "requested">;
  outcome?: string;
  scheduledFor?: string;
}

/** "Mon 7 Jan, 09:00–10:00 (Europe/Amsterdam)": a window as the reader's zone shows it. */
export function describeWindow(window: CallbackWindow, timeZone: string): string {
  const day = new Intl.DateTimeFormat("en-GB", {
    timeZone,
    weekday: "short",
    day: "numeric",
    month: "short",
  });
  const time = new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", minute: "2-digit" });
  const from = new Date(window.from);
  return `${day.format(from)}, ${time.format(from)}–${time.format(new Date(window.to))} (${timeZone})`;
}

/** A moment as `describeWindow` shows a window's start. */
function describeTime(at: string, timeZone: string): string {
  const format = new Intl.DateTimeFormat("en-GB", {
    timeZone,
    weekday: "short",
    day: "numeric",
    month: "short",
    hour: "2-digit",
    minute: "2-digit",
  });
  return `${format.format(new Date(at))} (${timeZone})`;
}

/** What a visitor may see of a callback: no agent emails, no outcome notes. */
export function callbackForVisitor(callback: CallbackRequest) {
  const {
    claimedBy: _by,
    outcome: _outcome,
    remindedAt: _reminded,
    offeredAt: _offered,
    ...rest
  } = callback;
  return rest;
}

/**
 * Callback requests (docs/architecture.md §2, §5): the rules of asking, claiming, scheduling and
 * closing a phone callback, each change an event in the thread. No HTTP, no sockets.
 *
 * @example
 * const callbacks = createCallbacks({ store, threads, site, siteIds, now: Date.now, newId });
 * const callback = await callbacks.request(conversation, { phone: "06 12345678", window: "asap", timeZone: "Europe/Amsterdam" });
 * await callbacks.update(agent, callback.id, { status: "completed", outcome: "Refund agreed" });
 */
export function createCallbacks(deps: CallbacksDeps) {
  const { store, threads } = deps;
  const iso = () => new Date(deps.now()).toISOString();

  async function mustGet(id: string, siteId: string): Promise<CallbackRequest> {
    const found = await store.getCallback(id);
    if (!found || found.siteId !== siteId) {
      throw new AppError("not_found", "No callback request with that id");
    }
    return found;
  }

  /**
   * Applies `decide` to the stored callback and saves the result over the version it read; a
   * rival change in between makes it decide again on the fresh copy (which may now refuse).
   */
  async function change(
    id: string,
    siteId: string,
    decide: (current: CallbackRequest) => CallbackRequest | null,
  ): Promise<{ before: CallbackRequest; after: CallbackRequest } | null> {
    for (let attempt = 0; attempt < SAVE_ATTEMPTS; attempt++) {
      const before = await mustGet(id, siteId);
      const next = decide(before);
      if (!next) return null;
      const after = { ...next, version: before.version + 1, updatedAt: iso() };
      if (await store.saveCallback(after, before.version)) return { before, after };
    }
    throw new AppError("conflict", "The callback request kept changing; reload and try again");
  }

  /** Records a change in the thread and tells the team's consoles. */
  async function record(
    callback: CallbackRequest,
    name: string,
    text: string,
    data: Record<string, unknown> = {},
  ): Promise<ThreadEvent> {
    const { event } = await threads.system(
      callback.conversationId,
      name,
      text,
      { callbackId: callback.id, status: callback.status, ...data },
      // One event of a name per saved version: a retried step cannot record it twice. "/" is outside
      // what visitors may send as a clientId, so no visitor key can stand in for it.
      { channel: "callback", clientId: `callback/${callback.id}/${callback.version}/${name}` },
    );
    await store.publish({ kind: "callback", siteId: callback.siteId, callback });
    const conversation = await store.getConversation(callback.conversationId);
    if (conversation) deps.changed?.(callback, conversation);
    return event;
  }

  /**
   * Scheduled calls whose time is `remindMs` away or less and still to come: the visitor is
   * reminded once per scheduled time (a shared guard, so one instance of many does it; a new
   * time is a new reminder).
   */
  async function remindVisitors(siteId: string, remindMs: number): Promise<void> {
    if (!deps.due) return;
    for (const callback of await store.listCallbacks(siteId, ["scheduled"], 500)) {
      const at = Date.parse(callback.scheduledFor ?? "");
      const now = deps.now();
      if (!(at > now && at - now <= remindMs)) continue;
      const guard = await store.hit(`callback-due:${callback.id}:${at}`, remindMs + 3_600_000);
      if (guard.count > 1) continue;
      const conversation = await store.getConversation(callback.conversationId);
      if (conversation) deps.due(callback, conversation);
    }
  }

  async function close(
    callback: CallbackRequest,
    status: "completed" | "missed" | "cancelled",
    by: Agent | "visitor" | "system",
  ): Promise<void> {
    const who = typeof by === "string" ? by : by.email;
    const text =
      status === "completed"
        ? "We called you."
        : status === "missed"
          ? by === "system"
            ? "Sorry: nobody could call you in the window you chose."
            : "We tried to call you but could not reach you."
          : by === "visitor"
            ? "Callback cancelled"
            : `Callback cancelled by ${by === "system" ? "the team" : by.name}`;
    await record(callback, `callback.${status}`, text, { by: who });
  }

  return {
    /** What the visitor may pick now: "as soon as possible" (during hours) and the next windows. */
    windows(conversation: Conversation): CallbackWindowsResponse {
      const site = deps.site(conversation.siteId);
      const rules = callbackRules(site);
      const now = deps.now();
      return {
        asap: asapWindow(rules, now) !== null,
        windows: offeredWindows(rules, now),
        country: defaultCountry(rules.country, conversation.context.locale ?? site.locale),
        timeZone: rules.hours?.timeZone ?? "UTC",
      };
    },

    /**
     * A visitor's request: the number normalised to E.164, the window checked against the
     * site's callback hours, one active request per conversation. Records `callback.requested`.
     */
    async request(conversation: Conversation, ask: CallbackAsk): Promise<CallbackRequest> {
      const site = deps.site(conversation.siteId);
      const rules = callbackRules(site);
      const country = defaultCountry(
        ask.country ?? rules.country,
        conversation.context.locale ?? site.locale,
      );
      const phone = normalizePhone(ask.phone, country);
      const now = deps.now();
      const { window, asap } = checkWindow(rules, ask.window, now);
      const active = (await store.conversationCallbacks(conversation.id)).find((c) =>
        isActiveCallback(c.status),
      );
      if (active) {
        throw new AppError(
          "conflict",
          "A callback is already requested in this conversation: cancel it to ask for another",
        );
      }
      const at = iso();
      const callback: CallbackRequest = {
        id: deps.newId(),
        siteId: site.id,
        conversationId: conversation.id,
        contactId: conversation.contactId,
        phone: phone.e164,
        ...(phone.country ? { country: phone.country } : {}),
        window,
        asap,
        timeZone: ask.timeZone,
        ...(ask.note?.trim() ? { note: ask.note.trim().slice(0, NOTE_CHARS) } : {}),
        ...(ask.email ? { email: ask.email } : {}),
        status: "requested",
        version: 1,
        createdAt: at,
        updatedAt: at,
      };
      if (!(await store.saveCallback(callback, 0))) {
        throw new AppError("conflict", "That callback request exists already");
      }
      await threads.linkChannel(conversation.id, "callback", phone.e164, false);
      await record(
        callback,
        "callback.requested",
        asap
          ? "Callback requested as soon as possible"
          : `Callback requested for ${describeWindow(window, ask.timeZone)}`,
        { window, asap, timeZone: ask.timeZone },
      );
      return callback;
    },

    /** The visitor takes their request back; a final one stays as it is (409). */
    async cancelByVisitor(conversation: Conversation, id: string): Promise<CallbackRequest> {
      const found = await mustGet(id, conversation.siteId);
      if (found.conversationId !== conversation.id) {
        throw new AppError("not_found", "No callback request with that id");
      }
      const changed = await change(id, conversation.siteId, (current) => {
        if (!isActiveCallback(current.status)) {
          throw new AppError("conflict", `The callback is already ${current.status}`);
        }
        return { ...current, status: "cancelled" };
      });
      const { after } = changed!;
      await close(after, "cancelled", "visitor");
      return after;
    },

    /**
     * An agent claims, releases, schedules or closes a callback. Refused with 409: leaving a
     * final status, or acting on a callback another agent claimed. Closing or scheduling an
     * unclaimed one claims it.
     */
    async update(agent: Agent, id: string, ask: CallbackChange): Promise<CallbackRequest> {
      const me = { email: agent.email, name: agent.name };
      const changed = await change(id, agent.siteId, (current) => {
        const owner = current.claimedBy;
        if (owner && owner.email !== me.email) {
          throw new AppError("conflict", `${owner.name} has claimed this callback`);
        }
        if (!isActiveCallback(current.status)) {
          throw new AppError("conflict", `The callback is already ${current.status}`);
        }
        const next: CallbackRequest = { ...current };
        if (ask.claim === true) next.claimedBy = me;
        if (ask.claim === false) delete next.claimedBy;
        if (ask.status) {
          if (!NEXT[current.status].includes(ask.status)) {
            throw new AppError(
              "conflict",
              `A ${current.status} callback cannot become ${ask.status}`,
            );
          }
          next.status = ask.status;
          if (ask.claim !== false) next.claimedBy = me;
          if (ask.status === "scheduled") {
            const at = Date.parse(ask.scheduledFor ?? "");
            // UpdateCallbackBody asks for it over HTTP; a caller in code may still forget it.
            if (!Number.isFinite(at)) {
              throw new AppError(
                "bad_request",
                '"scheduledFor" is required with "status": "scheduled"',
              );
            }
            if (at < deps.now() - 60_000) {
              throw new AppError("bad_request", '"scheduledFor" must be in the future');
            }
            next.scheduledFor = new Date(at).toISOString();
          }
          const outcome = ask.outcome?.trim();
          if (outcome) next.outcome = outcome.slice(0, NOTE_CHARS);
        }
        return next;
      });
      const { before, after } = changed!;
      if (after.claimedBy?.email !== before.claimedBy?.email) {
        await record(
          after,
          after.claimedBy ? "callback.claimed" : "callback.released",
          after.claimedBy
            ? `${agent.name} will call ${after.phone}`
            : `${agent.name} released the callback`,
          { by: agent.email },
        );
      }
      if (after.status !== before.status || after.scheduledFor !== before.scheduledFor) {
        if (after.status === "scheduled") {
          await record(
            after,
            "callback.scheduled",
            `Callback scheduled for ${describeTime(after.scheduledFor!, after.timeZone)}`,
            { scheduledFor: after.scheduledFor, timeZone: after.timeZone, by: agent.email },
          );
        } else if (after.status !== before.status) {
          await close(after, after.status as "completed" | "missed" | "cancelled", agent);
        }
        if (after.outcome && after.outcome !== before.outcome) {
          await threads.addNote(
            after.conversationId,
            agent,
            `Call outcome: ${after.outcome}`,
            `callback/${after.id}/${after.version}/outcome`,
            { channel: "callback", data: { callbackId: after.id, status: after.status } },
          );
        }
      }
      return after;
    },

    /**
     * Offers the visitor a new window after a missed or cancelled call: `tell` reaches them
     * (the caller sends the agent's line by their channel), then a `callback.offered` event,
     * which the widget turns into the callback form. Answers what `tell` answered.
     */
    async offer<T>(agent: Agent, id: string, tell: (callback: CallbackRequest) => Promise<T>) {
      const offerable = (callback: CallbackRequest) => {
        if (callback.status !== "missed" && callback.status !== "cancelled") {
          throw new AppError(
            "conflict",
            "Only a missed or cancelled callback can be offered again",
          );
        }
        if (callback.offeredAt) {
          throw new AppError("conflict", "A new time was offered for this callback already");
        }
        return callback;
      };
      // Marked first, so two agents clicking at once send one offer.
      const { after } = (await change(id, agent.siteId, (current) => ({
        ...offerable(current),
        offeredAt: iso(),
      })))!;
      let told: T;
      try {
        told = await tell(after);
      } catch (error) {
        // Not offered after all: another try must be possible.
        await change(id, agent.siteId, ({ offeredAt: _, ...current }) => current).catch(
          () => undefined,
        );
        throw error;
      }
      await record(after, "callback.offered", "Pick a new time for a call", { by: agent.email });
      return told;
    },

    get: mustGet,

    /** A site's queue (`active`) or its callbacks in one status. */
    list(siteId: string, status: CallbackStatus | "active", limit = 100) {
      return store.listCallbacks(
        siteId,
        status === "active" ? ACTIVE_CALLBACK_STATUSES : [status],
        limit,
      );
    },

    ofConversation: (conversationId: string) => store.conversationCallbacks(conversationId),

    /**
     * The reminder and missed rules, for every site; safe to run on every instance at once
     * (each change is saved over the version it read, so only one instance acts on it):
     * - unclaimed, starting within `remindMinutes`: agents are told once (`due`);
     * - unclaimed and past its window: it becomes `missed`, and the visitor is told;
     * - scheduled, its time within `remindMinutes`: the visitor is reminded once (`due`).
     * Answers how many it reminded and marked missed.
     */
    async sweep(): Promise<{ reminded: number; missed: number }> {
      let reminded = 0;
      let missed = 0;
      for (const siteId of deps.siteIds()) {
        const site = deps.site(siteId);
        if (!site.callback) continue;
        const remindMs = callbackRules(site).remindMinutes * 60_000;
        const queue = await store.listCallbacks(siteId, ["requested"], 500);
        for (const callback of queue) {
          const now = deps.now();
          const from = Date.parse(callback.window.from);
          // The queue runs by window start: the rest start later still.
          if (from - now > remindMs) break;
          if (callback.claimedBy) continue;
          const past = now >= Date.parse(callback.window.to);
          if (!past && callback.remindedAt) continue;
          // Another instance kept changing it, or it went: its turn, not a failure of the sweep.
          const changed = await change(callback.id, siteId, (current) =>
            current.claimedBy || current.status !== "requested" || (!past && current.remindedAt)
              ? null
              : past
                ? { ...current, status: "missed" }
                : { ...current, remindedAt: new Date(now).toISOString() },
          ).catch((error: unknown) => {
            if (error instanceof AppError) return null;
            throw error;
          });
          if (!changed) continue;
          if (past) {
            missed++;
            await close(changed.after, "missed", "system");
          } else {
            reminded++;
            await store.publish({
              kind: "callback",
              siteId,
              callback: changed.after,
              due: true,
            });
          }
        }
        await remindVisitors(siteId, remindMs);
      }
      return { reminded, missed };
    },
  };
}

export type Callbacks = ReturnType<typeof createCallbacks>;
