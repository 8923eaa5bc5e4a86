/**
 * Every string the widget shows, in every locale it speaks: en, nl, ru, hr, pl, de, fr, es, one
 * module each in `locales/`. A locale is a row of strings in `KEYS` order (tuples, so a missing or
 * extra string fails the type check; the comment after each string names its key). Rows instead
 * of objects keep the key names out of the bundle. `{0}` is filled by `format()`. Keep
 * translations short: they sit in buttons.
 *
 * A row has two parts. `launcher`: what the widget shows before the chat is opened (the
 * launcher's labels), in every locale inside widget.js, so the launcher speaks the page's
 * language with no request. `panel`: the rest, inside widget.js for English only; any other
 * locale's is its *pack*, `widget-locales/<locale>.<version>.json` (built by
 * `scripts/locale-packs.ts`), fetched when the visitor opens the chat. Each visitor loads one
 * locale, not eight.
 */

import { launcher as de } from "./locales/de.ts";
import * as en from "./locales/en.ts";
import { launcher as es } from "./locales/es.ts";
import { launcher as fr } from "./locales/fr.ts";
import { launcher as hr } from "./locales/hr.ts";
import { launcher as nl } from "./locales/nl.ts";
import { launcher as pl } from "./locales/pl.ts";
import { launcher as ru } from "./locales/ru.ts";

/** The launcher's keys: the part of every locale that ships in widget.js. */
export const LAUNCHER_KEYS = ["open", "close", "unread"] as const;

/** The panel's keys, in row order after the launcher's. `via_*`: badge on a message from another
 * channel; `go_*`: the "other ways to reach us" menu entries; `away`: the notice outside business
 * hours or with no agent online; `email`, `transcript`: the email handoff's field and checkbox;
 * `csat` … `rated`: the rating card after a resolve; `phone` … `note`: the callback form;
 * `cb_*`: the thread's callback lines (`cb_requested` … `cb_offered` in the order of
 * `callback.<status>` events), `cb_soon` the request for "as soon as possible", `cb_cancel` its
 * button. */
export const PANEL_KEYS = [
  "title",
  "greeting",
  "input",
  "send",
  "sending",
  "failed",
  "retry",
  "connecting",
  "offline",
  "error",
  "typing",
  "you",
  "agent",
  "messages",
  "more",
  "via_app",
  "via_email",
  "via_callback",
  "go_app",
  "go_email",
  "go_callback",
  "handoffError",
  "handoffDone",
  "email",
  "transcript",
  "away",
  "csat",
  "rate",
  "comment",
  "rated",
  "phone",
  "country",
  "when",
  "asap",
  "note",
  "cb_requested",
  "cb_scheduled",
  "cb_completed",
  "cb_missed",
  "cb_cancelled",
  "cb_offered",
  "cb_soon",
  "cb_cancel",
] as const;

type AllKeys = readonly [...typeof LAUNCHER_KEYS, ...typeof PANEL_KEYS];
/** Every key, in row order (for tests and tools: pure, so the bundle leaves it out). */
export const KEYS = /* @__PURE__ */ (LAUNCHER_KEYS as readonly string[]).concat(
  PANEL_KEYS,
) as unknown as AllKeys;

export type Key = AllKeys[number];
type RowOf<T extends readonly string[]> = { -readonly [I in keyof T]: string };
/** A locale's launcher strings, in `LAUNCHER_KEYS` order. */
export type Launcher = RowOf<typeof LAUNCHER_KEYS>;
/** A locale's panel strings (its pack), in `PANEL_KEYS` order. */
export type Panel = RowOf<typeof PANEL_KEYS>;
/** A locale's strings, in `KEYS` order. */
export type Strings = Readonly<RowOf<AllKeys>>;
/** Each string's index in a row, by key (`t[SEND]`): numbers keep the key names out of the bundle
 * (the test checks them against `KEYS`). */
export const OPEN = 0;
export const CLOSE = 1;
export const UNREAD = 2;
export const TITLE = 3;
export const GREETING = 4;
export const INPUT = 5;
export const SEND = 6;
export const SENDING = 7;
export const FAILED = 8;
export const RETRY = 9;
export const CONNECTING = 10;
export const OFFLINE = 11;
export const ERROR = 12;
export const TYPING = 13;
export const YOU = 14;
export const AGENT = 15;
export const MESSAGES = 16;
export const MORE = 17;
export const VIA_APP = 18;
export const VIA_EMAIL = 19;
export const VIA_CALLBACK = 20;
export const GO_APP = 21;
export const GO_EMAIL = 22;
export const GO_CALLBACK = 23;
export const HANDOFFERROR = 24;
export const HANDOFFDONE = 25;
export const EMAIL = 26;
export const TRANSCRIPT = 27;
export const AWAY = 28;
export const CSAT = 29;
export const RATE = 30;
export const COMMENT = 31;
export const RATED = 32;
export const PHONE = 33;
export const COUNTRY = 34;
export const WHEN = 35;
export const ASAP = 36;
export const NOTE = 37;
export const CB_REQUESTED = 38;
export const CB_SCHEDULED = 39;
export const CB_COMPLETED = 40;
export const CB_MISSED = 41;
export const CB_CANCELLED = 42;
export const CB_OFFERED = 43;
export const CB_SOON = 44;
export const CB_CANCEL = 45;

/** Every locale's launcher strings. */
const LAUNCHERS: Record<string, Launcher> = { en: en.launcher, nl, ru, hr, pl, de, fr, es };

/** The supported locales. */
export const LOCALES = /* @__PURE__ */ Object.keys(LAUNCHERS);

/** The packs' build version (a hash of them all), part of their file names: a changed pack is a
 * new URL, so a pack can be cached for good. Set by the build (`scripts/locale-packs.ts`). */
declare const __OT_PACKS__: string;

/** How long the panel waits for its pack before it shows in English. */
const PACK_WAIT_MS = 3000;

/**
 * A locale's strings as far as widget.js holds them: the launcher's in that locale, the panel's
 * in English (all of English for `en` and an unknown locale).
 */
export function strings(locale: string): Strings {
  return [...(LAUNCHERS[locale] ?? en.launcher), ...en.panel];
}

/** The URL of a locale's pack on the omnithread server. */
export const packUrl = (server: string, locale: string) =>
  `${server}/widget-locales/${locale}.${__OT_PACKS__}.json`;

/**
 * A locale's strings, with its pack fetched from the server (none for English); the panel's
 * strings stay English when the pack fails or takes longer than PACK_WAIT_MS.
 *
 * @example
 * loadStrings("https://chat.example.com", "nl").then((t) => t[SEND]) // "Versturen"
 */
export async function loadStrings(server: string, locale: string): Promise<Strings> {
  const launcher = LAUNCHERS[locale];
  if (!launcher || locale === "en") return strings(locale);
  const pack = fetch(packUrl(server, locale)).then((response) =>
    response.ok ? (response.json() as Promise<Panel>) : null,
  );
  const late = new Promise<null>((done) => setTimeout(done, PACK_WAIT_MS, null));
  const panel = await Promise.race([pack, late]).catch(() => null);
  return [...launcher, ...(panel ?? en.panel)];
}

/** The messaging apps by their brand names: one `via_app` / `go_app` string names any of them. */
const APPS: Record<string, string> = {
  messenger: "Messenger",
  telegram: "Telegram",
  whatsapp: "WhatsApp",
};

/**
 * A channel's string from the `via_*` (badge, `first` = VIA_APP) or `go_*` (menu, `first` =
 * GO_APP) ones, which follow in this order in `KEYS`: an app's name in `*_app`, else email's or
 * callback's own string, else the channel's name.
 */
export function channelText(t: Strings, first: number, channel: string): string {
  const app = APPS[channel];
  if (app) return format(t[first]!, app);
  const i = ["email", "callback"].indexOf(channel);
  return i < 0 ? channel : t[first + 1 + i]!;
}

/**
 * The first supported language among the wanted ones (`data-locale`, then the browser's), else
 * English. Region subtags are ignored: `nl-BE` speaks `nl`.
 */
export function pickLocale(wanted: readonly (string | null | undefined)[]): string {
  for (const tag of wanted) {
    const language = tag?.toLowerCase().split(/[-_]/)[0];
    if (language && LAUNCHERS[language]) return language;
  }
  return "en";
}

/** Fills `{0}` in a string. */
export function format(text: string, value: string | number): string {
  return text.replace("{0}", `${value}`);
}
