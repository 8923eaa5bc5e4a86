/**
 * Pure helpers for what the console shows: ages, clock times, channel names, system-event
 * sentences, safe links. No DOM, no state: unit-tested in `format.test.ts`.
 */
import type { AttributeValue, CallbackWindow, ChannelName, ThreadEvent } from "../sdk/protocol.ts";
import {
  localZone,
  type ZonedText,
  type ZoneOptions,
  zonedMoment,
  zonedWindow,
} from "./callbacks.ts";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Milliseconds since `iso` at `now`, never negative (clocks drift). NaN for a bad date. */
function elapsed(iso: string, now: number): number {
  return Math.max(0, now - Date.parse(iso));
}

/**
 * A compact age for lists: "now", "5 min", "3 h", "2 d".
 *
 * @example
 * shortAge("2030-01-01T10:00:00Z", Date.parse("2030-01-01T10:05:00Z")) // "5 min"
 */
export function shortAge(iso: string, now: number): string {
  const ms = elapsed(iso, now);
  if (Number.isNaN(ms)) return "";
  if (ms < MINUTE) return "now";
  if (ms < HOUR) return `${Math.floor(ms / MINUTE)} min`;
  if (ms < DAY) return `${Math.floor(ms / HOUR)} h`;
  return `${Math.floor(ms / DAY)} d`;
}

/**
 * The same age in words, for screen readers and tooltips: "just now", "5 minutes ago".
 *
 * @example
 * longAge("2030-01-01T08:00:00Z", Date.parse("2030-01-01T10:00:00Z")) // "2 hours ago"
 */
export function longAge(iso: string, now: number): string {
  const ms = elapsed(iso, now);
  if (Number.isNaN(ms)) return "";
  if (ms < MINUTE) return "just now";
  const [count, unit] =
    ms < HOUR
      ? [Math.floor(ms / MINUTE), "minute"]
      : ms < DAY
        ? [Math.floor(ms / HOUR), "hour"]
        : [Math.floor(ms / DAY), "day"];
  return `${count} ${unit}${count === 1 ? "" : "s"} ago`;
}

export interface ClockOptions {
  locale?: string;
  timeZone?: string;
}

/**
 * A time for the thread: "14:05" today, "3 Mar, 14:05" on another day, with the year when it
 * is not this year's.
 *
 * @example
 * clock("2030-03-03T14:05:00Z", Date.parse("2030-03-03T18:00:00Z"), { locale: "en-GB", timeZone: "UTC" }) // "14:05"
 */
export function clock(iso: string, now: number, options: ClockOptions = {}): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return "";
  const zone = options.timeZone ? { timeZone: options.timeZone } : {};
  const day = (d: Date) =>
    new Intl.DateTimeFormat("en-CA", { ...zone, dateStyle: "short" }).format(d);
  const time = { hour: "2-digit", minute: "2-digit", ...zone } as const;
  const today = new Date(now);
  if (day(at) === day(today)) {
    return new Intl.DateTimeFormat(options.locale, time).format(at);
  }
  const sameYear = day(at).slice(0, 4) === day(today).slice(0, 4);
  return new Intl.DateTimeFormat(options.locale, {
    ...time,
    day: "numeric",
    month: "short",
    ...(sameYear ? {} : { year: "numeric" }),
  }).format(at);
}

/** Every channel, by how the console names it; in the order the inbox's filter lists them. */
export const CHANNEL_NAMES: Record<ChannelName, string> = {
  web: "web chat",
  messenger: "Messenger",
  email: "email",
  callback: "phone callback",
  telegram: "Telegram",
  whatsapp: "WhatsApp",
  sms: "SMS",
};

/**
 * How a channel is named in sentences ("Reply via web chat"); unknown channels as they are.
 *
 * @example
 * channelName("messenger") // "Messenger"
 */
export function channelName(channel: string): string {
  return CHANNEL_NAMES[channel as ChannelName] ?? channel;
}

/** What the agent's own sentences need: their clock and zone, and teammates' names. */
export interface SentenceContext extends Partial<ZoneOptions> {
  now: number;
  /** An agent's name from their email; default: the email. */
  agentName?: (email: string) => string;
}

type Sentence = (event: ThreadEvent, context: SentenceContext) => string;

/** A sentence for a system event whose text the server left empty. */
const SENTENCES: Record<string, Sentence> = {
  "channel.linked": (e) => `Moved to ${channelName(String(e.data?.channel ?? e.channel))}`,
  "conversation.resolved": () => "Conversation resolved",
  "conversation.reopened": () => "Conversation reopened",
  "conversation.assigned": () => "Assignment changed",
  "contact.identified": () => "Visitor identified",
  "handoff.requested": (e) => `Asked to continue by ${channelName(String(e.data?.channel ?? ""))}`,
  "csat.submitted": (e) => `Rated the conversation ${String(e.data?.rating ?? "")}/5`,
};

function isWindow(value: unknown): value is CallbackWindow {
  const w = value as Partial<CallbackWindow> | null;
  return typeof w?.from === "string" && typeof w.to === "string";
}

/** Who did it: "the visitor", "omnithread" (the server), or the agent's name. */
function actor(by: unknown, context: SentenceContext): string | null {
  if (typeof by !== "string" || !by) return null;
  if (by === "visitor") return "the visitor";
  if (by === "system") return "omnithread";
  return context.agentName?.(by) ?? by;
}

/**
 * The callback events, told to the agent (the server's texts speak to the visitor, in the
 * visitor's zone): times in the agent's zone, who did what.
 */
const CALLBACK_SENTENCES: Record<string, Sentence> = {
  "callback.requested": (e, c) => {
    if (e.data?.asap === true) return "Callback requested as soon as possible";
    if (!isWindow(e.data?.window)) return "Callback requested";
    return `Callback requested for ${both(zonedWindow(e.data.window, c.now, zoneOf(c), visitorZone(e)))}`;
  },
  "callback.claimed": (e, c) => `Callback claimed by ${actor(e.data?.by, c) ?? "an agent"}`,
  "callback.released": (e, c) => `Callback released by ${actor(e.data?.by, c) ?? "an agent"}`,
  "callback.scheduled": (e, c) => {
    const at = e.data?.scheduledFor;
    const when = typeof at === "string" ? zonedMoment(at, c.now, zoneOf(c), visitorZone(e)) : null;
    return when?.agent ? `Callback scheduled for ${both(when)}` : "Callback scheduled";
  },
  "callback.completed": () => "Called the visitor back",
  "callback.missed": (e, c) =>
    e.data?.by === "system"
      ? "Callback missed: nobody called within the window"
      : `Callback marked missed by ${actor(e.data?.by, c) ?? "an agent"}`,
  "callback.cancelled": (e, c) => {
    const who = actor(e.data?.by, c);
    if (who === "the visitor") return "The visitor cancelled the callback";
    return who ? `Callback cancelled by ${who}` : "Callback cancelled";
  },
  "callback.offered": () => "Offered the visitor a new callback time",
};

const zoneOf = (c: SentenceContext): ZoneOptions => ({
  timeZone: c.timeZone ?? localZone(),
  locale: c.locale,
});
const visitorZone = (e: ThreadEvent): string =>
  typeof e.data?.timeZone === "string" ? e.data.timeZone : "";
/** "Today, 08:00–09:00 (visitor's time: Today, 14:00–15:00)". */
const both = (text: ZonedText): string =>
  text.visitor ? `${text.agent} (visitor's time: ${text.visitor})` : text.agent;

/**
 * A system event as a sentence: the console's own for callback events (the agent's zone, who
 * did it), else the server's text, else one made from the event's name.
 *
 * @example
 * systemSentence({ ...event, text: "", name: "channel.linked", data: { channel: "messenger" } }) // "Moved to Messenger"
 */
export function systemSentence(
  event: ThreadEvent,
  context: SentenceContext = { now: Date.now() },
): string {
  // Some texts speak to the visitor ("How did we do?", "We called you."); agents read what happened.
  if (event.name === "csat.requested") return "Asked the visitor to rate the conversation";
  const own = event.name ? CALLBACK_SENTENCES[event.name] : undefined;
  if (own) return own(event, context);
  if (event.text.trim()) return event.text;
  const make = event.name ? SENTENCES[event.name] : undefined;
  return make ? make(event, context) : (event.name ?? "System event");
}

/** A customer-satisfaction answer read from a `csat.submitted` event. */
export interface Rating {
  rating: number;
  comment?: string;
  at: string;
  seq: number;
}

/**
 * The CSAT ratings in a thread, oldest first; malformed ones are skipped.
 *
 * @example
 * ratings(events) // [{ rating: 5, comment: "Quick!", at: "…", seq: 9 }]
 */
export function ratings(events: readonly ThreadEvent[]): Rating[] {
  const found: Rating[] = [];
  for (const event of events) {
    if (event.name !== "csat.submitted") continue;
    const rating = Number(event.data?.rating);
    if (!Number.isInteger(rating) || rating < 1 || rating > 5) continue;
    const comment = event.data?.comment;
    found.push({
      rating,
      at: event.createdAt,
      seq: event.seq,
      ...(typeof comment === "string" && comment.trim() ? { comment } : {}),
    });
  }
  return found;
}

/**
 * An attribute value as text: strings as they are, numbers and booleans spelled out, null as
 * an em dash.
 */
export function attributeText(value: AttributeValue | undefined): string {
  if (value === null || value === undefined) return "—";
  return String(value);
}

/**
 * The absolute http(s) URL a link may point to, or null: `javascript:`, `data:` and relative
 * text never become links.
 *
 * @example
 * safeHref("javascript:alert(1)") // null
 */
export function safeHref(text: string | undefined): string | null {
  if (!text) return null;
  try {
    const url = new URL(text);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch {
    return null;
  }
}

/** Plain text, or a link to render as an anchor; the text is always rendered as text. */
export type Part = string | { href: string; text: string };

const URL_PATTERN = /\bhttps?:\/\/[^\s<>"']+/gi;
/** Punctuation that ends a sentence rather than the URL: "see https://x.test/a." */
const TRAILING = /[.,;:!?'")\]}>]+$/;

/**
 * Splits message text into text and http(s) links.
 *
 * @example
 * linkify("see https://example.com/a.") // ["see ", { href: "https://example.com/a", text: "https://example.com/a" }, "."]
 */
export function linkify(text: string): Part[] {
  const parts: Part[] = [];
  let last = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    const start = match.index;
    let raw = match[0].replace(TRAILING, "");
    const extra = match[0].slice(raw.length);
    if (extra.startsWith(")") && raw.split("(").length > raw.split(")").length) raw += ")";
    const href = safeHref(raw);
    if (!href) continue;
    if (start > last) parts.push(text.slice(last, start));
    parts.push({ href, text: raw });
    last = start + raw.length;
  }
  if (last < text.length) parts.push(text.slice(last));
  return parts;
}

/**
 * A URL shown short: host and path, without the scheme; text that is no URL as it is.
 *
 * @example
 * shortUrl("https://shop.example/product.html?id=1") // "shop.example/product.html?id=1"
 */
export function shortUrl(text: string): string {
  try {
    const url = new URL(text);
    return `${url.host}${url.pathname === "/" ? "" : url.pathname}${url.search}`;
  } catch {
    return text;
  }
}

/**
 * The tab title, with the count of what arrived while the tab was hidden.
 *
 * @example
 * tabTitle("Inbox · omnithread", 3) // "(3) Inbox · omnithread"
 */
export function tabTitle(base: string, count: number): string {
  return count > 0 ? `(${count > 99 ? "99+" : count}) ${base}` : base;
}

/**
 * A fresh idempotency key for a reply or note (`[A-Za-z0-9._:-]`, ≤ 64 characters). Uses
 * `getRandomValues`, which works on plain-http origins where `randomUUID` does not.
 */
export function newClientId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return `console-${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/**
 * Jittered exponential backoff for reconnects: 0.5 s doubling to 15 s, each delay drawn from
 * its upper half so a restarted server is not hit by every console at once.
 *
 * @example
 * backoff(0, () => 1) // 500
 */
export function backoff(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(15_000, 500 * 2 ** Math.max(0, attempt));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
