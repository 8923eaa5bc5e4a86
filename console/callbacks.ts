/**
 * Pure helpers for the callback queue: windows shown in the agent's zone and the visitor's,
 * which callbacks need someone now (due soon, overdue), the queue's order, merging live copies,
 * and the `datetime-local` field of the schedule form. No DOM, no state: unit-tested in
 * `callbacks.test.ts`.
 */
import type { CallbackRequest, CallbackStatus, CallbackWindow } from "../sdk/protocol.ts";

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/**
 * How long before an unclaimed callback's window the console highlights it: the server's default
 * reminder, until the queue's answer brings the site's own `remindMinutes`.
 */
export const REMIND_MS = 10 * MINUTE;

/** What the queue lists: the active ones (requested and scheduled) or one final status. */
export type CallbackFilter = "active" | "completed" | "missed" | "cancelled";

/** Still to be called: requested or scheduled. */
export function isActive(callback: { status: CallbackStatus }): boolean {
  return callback.status === "requested" || callback.status === "scheduled";
}

export interface ZoneOptions {
  /** IANA time zone, e.g. `Europe/Amsterdam`. */
  timeZone: string;
  /** Default: the browser's. */
  locale?: string | undefined;
}

/** The browser's own time zone: the agent's. */
export function localZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** The calendar day of an instant in a zone, as `YYYY-MM-DD`. */
function dayOf(at: number, timeZone: string): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone, dateStyle: "short" }).format(at);
}

function timeOf(at: number, options: ZoneOptions): string {
  return new Intl.DateTimeFormat(options.locale, {
    timeZone: options.timeZone,
    hour: "2-digit",
    minute: "2-digit",
  }).format(at);
}

/** "Today", "Tomorrow", "Yesterday", else "Tue 3 Mar" (with the year when it is not this one's). */
function dayLabel(at: number, now: number, options: ZoneOptions): string {
  const day = dayOf(at, options.timeZone);
  const today = dayOf(now, options.timeZone);
  const offset = Math.round((Date.parse(day) - Date.parse(today)) / DAY);
  if (offset === 0) return "Today";
  if (offset === 1) return "Tomorrow";
  if (offset === -1) return "Yesterday";
  return new Intl.DateTimeFormat(options.locale, {
    timeZone: options.timeZone,
    weekday: "short",
    day: "numeric",
    month: "short",
    ...(day.slice(0, 4) === today.slice(0, 4) ? {} : { year: "numeric" }),
  }).format(at);
}

/**
 * A moment as the reader of `timeZone` says it: "Today, 14:30", "Tue 3 Mar, 09:00". Empty for
 * a bad date.
 *
 * @example
 * momentText("2030-03-05T13:30:00Z", Date.parse("2030-03-05T08:00:00Z"), { timeZone: "Europe/Amsterdam", locale: "en-GB" }) // "Today, 14:30"
 */
export function momentText(iso: string, now: number, options: ZoneOptions): string {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return "";
  return `${dayLabel(at, now, options)}, ${timeOf(at, options)}`;
}

/**
 * A window as the reader of `timeZone` says it: "Today, 14:00–15:00", or both days when it
 * spans midnight there ("Today, 23:30 – Tomorrow, 00:30"). Empty for bad dates.
 *
 * @example
 * windowText({ from: "2030-03-05T13:00:00Z", to: "2030-03-05T14:00:00Z" }, Date.parse("2030-03-05T08:00:00Z"), { timeZone: "Europe/Amsterdam", locale: "en-GB" }) // "Today, 14:00–15:00"
 */
export function windowText(window: CallbackWindow, now: number, options: ZoneOptions): string {
  const from = Date.parse(window.from);
  const to = Date.parse(window.to);
  if (Number.isNaN(from) || Number.isNaN(to)) return "";
  const start = momentText(window.from, now, options);
  if (dayOf(from, options.timeZone) === dayOf(to, options.timeZone)) {
    return `${start}–${timeOf(to, options)}`;
  }
  return `${start} – ${momentText(window.to, now, options)}`;
}

/** The same window (or moment) for the agent, and for the visitor when their clock reads otherwise. */
export interface ZonedText {
  agent: string;
  /** Absent when the visitor's clock shows the same as the agent's (same zone, or same offset). */
  visitor?: string;
}

/** Says something in the agent's zone and, when it reads differently there, in the visitor's. */
function zoned(
  say: (options: ZoneOptions) => string,
  agent: ZoneOptions,
  visitorZone: string,
): ZonedText {
  const mine = say(agent);
  const theirs = safeZone(visitorZone) ? say({ ...agent, timeZone: visitorZone }) : mine;
  return theirs === mine ? { agent: mine } : { agent: mine, visitor: theirs };
}

/**
 * A window in the agent's zone and, when it reads differently there, in the visitor's.
 *
 * @example
 * zonedWindow(callback.window, now, { timeZone: "America/New_York" }, "Europe/Amsterdam")
 * // { agent: "Today, 08:00–09:00", visitor: "Today, 14:00–15:00" }
 */
export const zonedWindow = (
  window: CallbackWindow,
  now: number,
  agent: ZoneOptions,
  visitorZone: string,
): ZonedText => zoned((options) => windowText(window, now, options), agent, visitorZone);

/** A moment in the agent's zone and, when it reads differently there, in the visitor's. */
export const zonedMoment = (
  iso: string,
  now: number,
  agent: ZoneOptions,
  visitorZone: string,
): ZonedText => zoned((options) => momentText(iso, now, options), agent, visitorZone);

/** A zone name the browser knows (the server checks it; an older browser may not know it). */
function safeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone });
    return true;
  } catch {
    return false;
  }
}

/**
 * A span for sentences: "less than a minute", "5 min", "1 h 20 min", "2 d".
 *
 * @example
 * span(80 * 60_000) // "1 h 20 min"
 */
export function span(ms: number): string {
  const minutes = Math.round(Math.abs(ms) / MINUTE);
  if (minutes < 1) return "less than a minute";
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  return `${Math.round(minutes / (24 * 60))} d`;
}

/** When the call is due: the agreed time once scheduled, else the window's start. */
export function dueAt(callback: CallbackRequest): number {
  const scheduled = callback.status === "scheduled" && callback.scheduledFor;
  return Date.parse(scheduled ? callback.scheduledFor! : callback.window.from);
}

/** Why a row needs attention: `due` (starts soon, nobody has it) or `overdue`; `text` says it. */
export interface Urgency {
  kind: "due" | "overdue";
  text: string;
}

/**
 * Does this callback need someone now? Unclaimed ones starting within `lead`, or that the
 * server has reminded the agents of (`remindedAt`: the site's own lead time), are `due`
 * ("starts in 5 min, unclaimed"); unclaimed ones whose window has begun, and claimed ones whose
 * agreed time or window has passed, are `overdue`. Final ones never.
 *
 * @example
 * callbackUrgency(callback, Date.parse(callback.window.from) - 5 * 60_000) // { kind: "due", text: "starts in 5 min, unclaimed" }
 */
export function callbackUrgency(
  callback: CallbackRequest,
  now: number,
  lead = REMIND_MS,
): Urgency | null {
  if (!isActive(callback)) return null;
  const from = Date.parse(callback.window.from);
  const to = Date.parse(callback.window.to);
  if (!callback.claimedBy) {
    if (now < from - lead && !callback.remindedAt) return null;
    if (now < from) return { kind: "due", text: `starts in ${span(from - now)}, unclaimed` };
    if (now < to) return { kind: "overdue", text: `started ${span(now - from)} ago, unclaimed` };
    return { kind: "overdue", text: `window ended ${span(now - to)} ago, unclaimed` };
  }
  if (callback.status === "scheduled" && callback.scheduledFor) {
    const at = Date.parse(callback.scheduledFor);
    return now > at ? { kind: "overdue", text: `overdue by ${span(now - at)}` } : null;
  }
  return now > to ? { kind: "overdue", text: `window ended ${span(now - to)} ago` } : null;
}

/**
 * The queue: for `active`, the requested and scheduled ones by when the call is due, earliest
 * first; for a final status, those of it, most recently changed first.
 */
export function callbackQueue(
  callbacks: Record<string, CallbackRequest>,
  filter: CallbackFilter,
): CallbackRequest[] {
  const all = Object.values(callbacks);
  if (filter === "active") {
    return all
      .filter(isActive)
      .sort(
        (a, b) =>
          dueAt(a) - dueAt(b) || a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id),
      );
  }
  return all
    .filter((c) => c.status === filter)
    .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt) || a.id.localeCompare(b.id));
}

/** A copy from the server folded into what is known: an older version never rolls it back. */
export function mergeCallback(
  known: CallbackRequest | undefined,
  incoming: CallbackRequest,
): CallbackRequest {
  return known && known.version > incoming.version ? known : incoming;
}

/** A conversation's callbacks with one added or replaced, newest first (as the server lists them). */
export function withCallback(
  list: readonly CallbackRequest[],
  callback: CallbackRequest,
): CallbackRequest[] {
  const known = list.find((c) => c.id === callback.id);
  const merged = mergeCallback(known, callback);
  return [merged, ...list.filter((c) => c.id !== callback.id)].sort(
    (a, b) => b.createdAt.localeCompare(a.createdAt) || a.id.localeCompare(b.id),
  );
}

/**
 * A `tel:` link for an E.164 number, or null for anything else (never a link made of free text).
 *
 * @example
 * telHref("+31612345678") // "tel:+31612345678"
 */
export function telHref(phone: string): string | null {
  return /^\+[1-9]\d{5,14}$/.test(phone) ? `tel:${phone}` : null;
}

/** Milliseconds the zone's clock is ahead of UTC at `at`. */
function zoneOffset(at: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const wall = Date.UTC(
    get("year"),
    get("month") - 1,
    get("day"),
    get("hour"),
    get("minute"),
    get("second"),
  );
  return wall - Math.floor(at / 1000) * 1000;
}

/**
 * An instant as a `datetime-local` value in `timeZone`: `YYYY-MM-DDTHH:mm`. Empty for a bad date.
 *
 * @example
 * toLocalInput("2030-03-05T13:30:00Z", "Europe/Amsterdam") // "2030-03-05T14:30"
 */
export function toLocalInput(iso: string, timeZone: string): string {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return "";
  return new Date(at + zoneOffset(at, timeZone)).toISOString().slice(0, 16);
}

/**
 * A `datetime-local` value read in `timeZone`, as an ISO instant; null when it is no such value.
 * A wall time that a DST change skips is read with the offset before the change.
 *
 * @example
 * fromLocalInput("2030-03-05T14:30", "Europe/Amsterdam") // "2030-03-05T13:30:00.000Z"
 */
export function fromLocalInput(value: string, timeZone: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(value);
  if (!m) return null;
  const wall = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]));
  if (Number.isNaN(wall)) return null;
  // The offset at the guess, then at the answer: right on both sides of a DST change.
  const guess = wall - zoneOffset(wall, timeZone);
  return new Date(wall - zoneOffset(guess, timeZone)).toISOString();
}
