import { wordsIn } from "../../core/language.ts";

/**
 * What the site's number texts, in the visitor's language. Short on purpose: a text over one
 * segment costs twice. In the languages whose letters GSM-7 has (en, nl, de, fr, es, and these
 * hr and pl words) a line is GSM-7, 160 characters; Russian is UCS-2, 70, so its words leave
 * room for the site's name and a short resume link (`segments.test.ts` counts each).
 */

interface SmsWords {
  /** The handoff's text: `{name}` the site, `{link}` a short resume link. */
  handoff: string;
  /** HELP's answer when the site sets none: `{name}` and `{url}` the site's web address. */
  help: string;
  /** A callback's confirmation: `{name}`, `{phone}` the number to be called, `{when}`. */
  callback: string;
  /** The reminder a little before a scheduled call, with the same slots. */
  reminder: string;
}

const WORDS: Record<string, SmsWords> & { en: SmsWords } = {
  en: {
    handoff: "{name}: reply to this text to go on with our chat, or open {link}",
    help: "{name} support: reply to chat with us, or see {url}. Reply STOP to stop texts.",
    callback: "{name}: we will call you at {phone}, {when}.",
    reminder: "{name}: a reminder, we will call you at {phone}, {when}.",
  },
  nl: {
    handoff: "{name}: antwoord op dit bericht om verder te chatten, of open {link}",
    help: "{name} klantenservice: antwoord om te chatten, of zie {url}. Stuur STOP om te stoppen.",
    callback: "{name}: we bellen u op {phone}, {when}.",
    reminder: "{name}: ter herinnering, we bellen u op {phone}, {when}.",
  },
  de: {
    handoff: "{name}: antworte auf diese SMS, um weiterzuchatten, oder öffne {link}",
    help: "{name} Kundenservice: antworte zum Chatten, oder siehe {url}. STOP beendet SMS.",
    callback: "{name}: wir rufen Sie unter {phone} an, {when}.",
    reminder: "{name}: zur Erinnerung, wir rufen Sie unter {phone} an, {when}.",
  },
  fr: {
    handoff: "{name} : répondez à ce SMS pour continuer, ou ouvrez {link}",
    help: "{name} service client : répondez pour discuter, ou voir {url}. STOP pour ne plus recevoir de SMS.",
    callback: "{name} : nous vous appellerons au {phone}, {when}.",
    reminder: "{name} : pour rappel, nous vous appellerons au {phone}, {when}.",
  },
  es: {
    handoff: "{name}: responde a este SMS para seguir, o abre {link}",
    help: "{name} soporte: responde para chatear, o ve {url}. STOP para dejar.",
    callback: "{name}: te llamaremos al {phone}, {when}.",
    reminder: "{name}: te recordamos que te llamaremos al {phone}, {when}.",
  },
  hr: {
    handoff: "{name}: odgovorite na ovu poruku ili otvorite {link}",
    help: "{name}: odgovorite za razgovor ili posjetite {url}. STOP za prekid poruka.",
    callback: "{name}: nazvat ćemo vas na {phone}, {when}.",
    reminder: "{name}: podsjetnik, nazvat ćemo vas na {phone}, {when}.",
  },
  pl: {
    handoff: "{name}: odpisz tutaj albo kliknij {link}",
    help: "{name}: odpisz, a odpowiemy, albo zobacz {url}. STOP = koniec SMS.",
    callback: "{name}: zadzwonimy pod numer {phone}, {when}.",
    reminder: "{name}: przypominamy, zadzwonimy pod numer {phone}, {when}.",
  },
  ru: {
    handoff: "{name}: ответьте или откройте {link}",
    help: "{name}: ответьте, чтобы написать нам, или {url}. STOP - отписаться.",
    callback: "{name}: мы позвоним вам по номеру {phone}, {when}.",
    reminder: "{name}: напоминаем, мы позвоним вам по номеру {phone}, {when}.",
  },
};

/** The words for a locale tag (`nl-BE` → `nl`), English when we have none. */
export const smsWordsFor = (locale: string | undefined) => wordsIn(WORDS, locale);

/** The locales SMS speaks. */
export const SMS_LOCALES = Object.keys(WORDS);

type Slot = "name" | "link" | "url" | "phone" | "when";

/**
 * Fills `{name}`, `{link}`, `{url}`, `{phone}`, `{when}` in a line.
 *
 * @example
 * fill(smsWordsFor("nl").handoff, { name: "Shop", link: "https://chat.shop.nl/r/k7qm2xpd" });
 */
export function fill(line: string, values: Partial<Record<Slot, string>>) {
  return line.replace(/\{(name|link|url|phone|when)\}/g, (_all, key: Slot) => values[key] ?? "");
}
