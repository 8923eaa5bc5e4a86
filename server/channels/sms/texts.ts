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
}

const WORDS: Record<string, SmsWords> & { en: SmsWords } = {
  en: {
    handoff: "{name}: reply to this text to go on with our chat, or open {link}",
    help: "{name} support: reply to chat with us, or see {url}. Reply STOP to stop texts.",
  },
  nl: {
    handoff: "{name}: antwoord op dit bericht om verder te chatten, of open {link}",
    help: "{name} klantenservice: antwoord om te chatten, of zie {url}. Stuur STOP om te stoppen.",
  },
  de: {
    handoff: "{name}: antworte auf diese SMS, um weiterzuchatten, oder öffne {link}",
    help: "{name} Kundenservice: antworte zum Chatten, oder siehe {url}. STOP beendet SMS.",
  },
  fr: {
    handoff: "{name} : répondez à ce SMS pour continuer, ou ouvrez {link}",
    help: "{name} service client : répondez pour discuter, ou voir {url}. STOP pour ne plus recevoir de SMS.",
  },
  es: {
    handoff: "{name}: responde a este SMS para seguir, o abre {link}",
    help: "{name} soporte: responde para chatear, o ve {url}. STOP para dejar.",
  },
  hr: {
    handoff: "{name}: odgovorite na ovu poruku ili otvorite {link}",
    help: "{name}: odgovorite za razgovor ili posjetite {url}. STOP za prekid poruka.",
  },
  pl: {
    handoff: "{name}: odpisz tutaj albo kliknij {link}",
    help: "{name}: odpisz, a odpowiemy, albo zobacz {url}. STOP = koniec SMS.",
  },
  ru: {
    handoff: "{name}: ответьте или откройте {link}",
    help: "{name}: ответьте, чтобы написать нам, или {url}. STOP - отписаться.",
  },
};

/** The words for a locale tag (`nl-BE` → `nl`), English when we have none. */
export const smsWordsFor = (locale: string | undefined) => wordsIn(WORDS, locale);

/** The locales SMS speaks. */
export const SMS_LOCALES = Object.keys(WORDS);

/**
 * Fills `{name}`, `{link}`, `{url}` in a line.
 *
 * @example
 * fill(smsWordsFor("nl").handoff, { name: "Shop", link: "https://chat.shop.nl/r/k7qm2xpd" });
 */
export function fill(line: string, values: Partial<Record<"name" | "link" | "url", string>>) {
  return line.replace(
    /\{(name|link|url)\}/g,
    (_all, key: "name" | "link" | "url") => values[key] ?? "",
  );
}
