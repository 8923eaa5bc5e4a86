import type { CallbackWindow } from "../../sdk/protocol.ts";
import type { CallbackConfig, SiteConfig } from "../config.ts";
import { AppError } from "../errors.ts";
import { type BusinessHours, isOpen, type LocalTime, localTime, openAtLocal } from "./hours.ts";

const MINUTE = 60_000;
/** Shortest and longest window a visitor may ask for. */
const MIN_WINDOW_MS = 15 * MINUTE;
const MAX_WINDOW_MS = 8 * 60 * MINUTE;
/** How far ahead a window may start at most, whatever the site offers. */
const MAX_AHEAD_MS = 30 * 24 * 60 * MINUTE;
/** A window offered must leave agents a little time to see it. */
const LEAD_MS = 15 * MINUTE;
/** Clocks differ: a window that started this long ago still counts as "now". */
const SKEW_MS = 5 * MINUTE;
/** Offered windows are checked on this grid (hours are set to the minute; 5 is plenty). */
const STEP_MS = 5 * MINUTE;

/** A site's callback settings with every default filled in. */
export interface CallbackRules {
  /** When agents call; undefined: any time. */
  hours: BusinessHours | undefined;
  windowMinutes: number;
  daysAhead: number;
  remindMinutes: number;
  country: string | undefined;
}

/**
 * The callback rules of a site: its `callback` block, business hours unless it names its own.
 *
 * @example
 * const rules = callbackRules(site); // { hours, windowMinutes: 60, daysAhead: 3, remindMinutes: 10 }
 */
export function callbackRules(site: SiteConfig): CallbackRules {
  const c: CallbackConfig = site.callback ?? {};
  return {
    hours: c.hours ?? site.businessHours,
    windowMinutes: c.windowMinutes ?? 60,
    daysAhead: c.daysAhead ?? 3,
    remindMinutes: c.remindMinutes ?? 10,
    country: c.country,
  };
}

/** The local time `minutes` after `start` on a clock that does not change its offset meanwhile. */
function later(start: LocalTime, minutes: number): LocalTime {
  const total = start.minute + minutes;
  return { day: (start.day + Math.floor(total / 1440)) % 7, minute: total % 1440 };
}

/**
 * Whether agents call during all of [from, to): every minute of it is within the hours. The
 * zone's clock is read at both ends only; when it moved by the window's length (no DST change
 * inside: none is 8 hours from another) every minute between is arithmetic from the start.
 */
export function withinHours(hours: BusinessHours | undefined, from: number, to: number): boolean {
  if (!hours) return true;
  const steps = Math.ceil((to - from) / MINUTE);
  const start = localTime(from, hours.timeZone);
  const end = localTime(from + (steps - 1) * MINUTE, hours.timeZone);
  const expected = later(start, steps - 1);
  const steady = end.day === expected.day && end.minute === expected.minute;
  for (let i = 0; i < steps; i++) {
    const local = steady ? later(start, i) : localTime(from + i * MINUTE, hours.timeZone);
    if (!openAtLocal(hours, local)) return false;
  }
  return isOpen(hours, to - 1);
}

/** The "as soon as possible" window: from now until the hours close, one window long at most. */
export function asapWindow(rules: CallbackRules, now: number): CallbackWindow | null {
  const longest = now + rules.windowMinutes * MINUTE;
  let end = now;
  while (end < longest && isOpen(rules.hours, end)) end += MINUTE;
  // Less than the shortest window left today is no promise worth making.
  if (end - now < MIN_WINDOW_MS) return null;
  return { from: new Date(now).toISOString(), to: new Date(end).toISOString() };
}

/**
 * The next windows to offer, in time order: `windowMinutes` long, starting on the hour (or on
 * the window length, for shorter ones) in the site's zone, inside the hours, at least a quarter
 * of an hour from now, over `daysAhead` days; at most `max`.
 *
 * @example
 * offeredWindows(callbackRules(site), Date.now()); // [{ from, to }, …]
 */
export function offeredWindows(rules: CallbackRules, now: number, max = 24): CallbackWindow[] {
  const length = rules.windowMinutes * MINUTE;
  const align = Math.min(rules.windowMinutes, 60);
  const zone = rules.hours?.timeZone ?? "UTC";
  const windows: CallbackWindow[] = [];
  const until = now + rules.daysAhead * 24 * 60 * MINUTE;
  let t = Math.ceil((now + LEAD_MS) / STEP_MS) * STEP_MS;
  // The zone's clock is read once an hour and counted on in between (reading it is the cost).
  let read = { at: t, local: localTime(t, zone) };
  while (t < until && windows.length < max) {
    if (t - read.at >= 60 * MINUTE) read = { at: t, local: localTime(t, zone) };
    const local = later(read.local, (t - read.at) / MINUTE);
    if (local.minute % align === 0 && withinHours(rules.hours, t, t + length)) {
      windows.push({ from: new Date(t).toISOString(), to: new Date(t + length).toISOString() });
      t += length;
    } else {
      t += STEP_MS;
    }
  }
  return windows;
}

/** An ISO 8601 instant from the wire, or a 400 naming the field. */
/** A window as a visitor asks for it: two ISO 8601 times (`instant` in its schema), or "asap". */
export type AskedWindow = "asap" | { from: string; to: string };

/**
 * Checks a window a visitor asked for, or picks the "as soon as possible" one, by the site's
 * rules: in the future, 15 minutes to 8 hours long, at most 30 days ahead, inside the hours.
 * Throws a 400 that says which rule it broke.
 *
 * @example
 * checkWindow(rules, { from: "2030-01-07T09:00:00Z", to: "2030-01-07T10:00:00Z" }, Date.now());
 */
export function checkWindow(
  rules: CallbackRules,
  window: AskedWindow,
  now: number,
): { window: CallbackWindow; asap: boolean } {
  if (window === "asap") {
    const soon = asapWindow(rules, now);
    if (!soon) {
      throw new AppError(
        "bad_request",
        '"window": nobody calls as soon as possible outside callback hours; pick a time',
      );
    }
    return { window: soon, asap: true };
  }
  const from = Date.parse(window.from);
  const to = Date.parse(window.to);
  if (to <= from) throw new AppError("bad_request", '"window.to" must be after "window.from"');
  if (from < now - SKEW_MS) throw new AppError("bad_request", '"window" must be in the future');
  if (to - from < MIN_WINDOW_MS || to - from > MAX_WINDOW_MS) {
    throw new AppError("bad_request", '"window" must be 15 minutes to 8 hours long');
  }
  if (from > now + MAX_AHEAD_MS) {
    throw new AppError("bad_request", '"window" must start within 30 days');
  }
  if (!withinHours(rules.hours, Math.max(from, now), to)) {
    throw new AppError("bad_request", '"window" is outside callback hours');
  }
  return {
    window: { from: new Date(from).toISOString(), to: new Date(to).toISOString() },
    asap: false,
  };
}
