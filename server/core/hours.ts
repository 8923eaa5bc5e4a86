/** Opening hours of a site, in its own time zone (docs/architecture.md §2). */
export interface BusinessHours {
  /** An IANA zone, e.g. `Europe/Amsterdam`. */
  timeZone: string;
  /** `mon`…`sun` → `["09:00", "17:00"]`; a window may cross midnight (`["22:00", "02:00"]`). */
  days: Partial<Record<Day, [string, string]>>;
}

export type Day = "mon" | "tue" | "wed" | "thu" | "fri" | "sat" | "sun";

const DAYS: Day[] = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

function minutes(hhmm: string): number {
  const [h, m] = hhmm.split(":").map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

/** A moment on a zone's clock: the weekday (0 = Sunday) and the minute of the day. */
export interface LocalTime {
  day: number;
  minute: number;
}

/** One formatter per zone: building one costs far more than using it (callback windows ask often). */
const formatters = new Map<string, Intl.DateTimeFormat>();

/** The weekday and minute of the day at `at` in `timeZone` (Intl knows the DST rules). */
export function localTime(at: number, timeZone: string): LocalTime {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone,
      weekday: "short",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    });
    formatters.set(timeZone, formatter);
  }
  const parts = formatter.formatToParts(at);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  const day = DAYS.indexOf(get("weekday").toLowerCase().slice(0, 3) as Day);
  return { day, minute: Number(get("hour")) * 60 + Number(get("minute")) };
}

/**
 * Whether the site is open at `at` (ms). No hours configured means always open.
 *
 * @example
 * isOpen({ timeZone: "Europe/Amsterdam", days: { mon: ["09:00", "17:00"] } }, Date.now());
 */
export function isOpen(hours: BusinessHours | undefined, at: number): boolean {
  return !hours || openAtLocal(hours, localTime(at, hours.timeZone));
}

/** Whether the hours are open at a weekday (0 = Sunday) and minute of the day on their clock. */
export function openAtLocal(hours: BusinessHours, { day, minute }: LocalTime): boolean {
  const today = hours.days[DAYS[day]!];
  if (today) {
    const [from, to] = today.map(minutes) as [number, number];
    if (from <= to ? minute >= from && minute < to : minute >= from) return true;
  }
  // Yesterday's window may run past midnight into today.
  const yesterday = hours.days[DAYS[(day + 6) % 7]!];
  if (yesterday) {
    const [from, to] = yesterday.map(minutes) as [number, number];
    if (from > to && minute < to) return true;
  }
  return false;
}

/** Whether a string names an IANA time zone this runtime knows. */
export function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone });
    return true;
  } catch {
    return false;
  }
}

/** Checks a configuration once at start: a bad zone or time stops the server with its name. */
export function validateHours(hours: BusinessHours, where: string): void {
  if (typeof hours.timeZone !== "string" || !isTimeZone(hours.timeZone)) {
    throw new Error(`${where}.timeZone "${hours.timeZone}" is not an IANA time zone`);
  }
  for (const [day, window] of Object.entries(hours.days ?? {})) {
    if (!DAYS.includes(day as Day)) throw new Error(`${where}.days has an unknown day "${day}"`);
    if (
      !Array.isArray(window) ||
      window.length !== 2 ||
      !window.every((t) => /^([01]\d|2[0-3]):[0-5]\d$/.test(t))
    ) {
      throw new Error(`${where}.days.${day} must be ["HH:MM", "HH:MM"]`);
    }
  }
}
