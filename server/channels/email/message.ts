import type { ThreadEvent } from "../../../sdk/protocol.ts";
import { callbackTime } from "../../core/callback-time.ts";
import { languageOf, wordsIn } from "../../core/language.ts";
import { escapeHtml } from "../../html.ts";

/**
 * The mails the channel writes: plain text and HTML of the same words, every piece of thread
 * text escaped in the HTML (a message is text, never markup), the resume link in both parts,
 * and the headers that thread them in mail clients.
 */

/** One outgoing mail, transport-neutral. */
export interface MailMessage {
  /** `"Site name" <support@example.com>` or a bare address. */
  from: string;
  to: string;
  replyTo: string;
  subject: string;
  text: string;
  html: string;
  /** Our `Message-ID`, with brackets. */
  messageId: string;
  inReplyTo?: string;
  references?: string[];
  /** More headers (e.g. `Auto-Submitted`). */
  headers?: Record<string, string>;
  /** Files sent as MIME parts (`Content-Disposition: attachment`). */
  attachments?: MailAttachment[];
}

export interface MailAttachment {
  filename: string;
  contentType: string;
  content: Uint8Array;
}

/**
 * How mail leaves: SMTP (`server/node/smtp-transport.ts`), an HTTP API (`postmarkTransport`) or
 * the demo's `logTransport`. Resolves with the id the transport reports; throws when the mail
 * did not go out.
 *
 * @example
 * const transport: MailTransport = { async send(message) { return { messageId: message.messageId }; } };
 */
export interface MailTransport {
  readonly kind: string;
  send(message: MailMessage): Promise<{ messageId: string }>;
}

interface Words {
  subject: (site: string) => string;
  intro: (site: string) => string;
  reply: string;
  resume: string;
  you: string;
  /** The callback confirmation: its subject, and when we will call. */
  callbackSubject: (site: string) => string;
  callbackAt: (phone: string, when: string) => string;
}

const WORDS: Record<string, Words> & { en: Words } = {
  en: {
    subject: (site) => `Your conversation with ${site}`,
    intro: (site) => `Here is your conversation with ${site} so far.`,
    reply: "Reply to this email to continue the conversation.",
    resume: "Continue in the chat on our website",
    you: "You",
    callbackSubject: (site) => `Your callback from ${site}`,
    callbackAt: (phone, when) => `We will call you at ${phone}: ${when}.`,
  },
  nl: {
    subject: (site) => `Uw gesprek met ${site}`,
    intro: (site) => `Hier is uw gesprek met ${site} tot nu toe.`,
    reply: "Beantwoord deze e-mail om het gesprek voort te zetten.",
    resume: "Verder in de chat op onze website",
    you: "U",
    callbackSubject: (site) => `Uw terugbelverzoek bij ${site}`,
    callbackAt: (phone, when) => `We bellen u op ${phone}: ${when}.`,
  },
  de: {
    subject: (site) => `Ihr Gespräch mit ${site}`,
    intro: (site) => `Hier ist Ihr bisheriges Gespräch mit ${site}.`,
    reply: "Antworten Sie auf diese E-Mail, um das Gespräch fortzusetzen.",
    resume: "Im Chat auf unserer Website weiterschreiben",
    you: "Sie",
    callbackSubject: (site) => `Ihr Rückruf von ${site}`,
    callbackAt: (phone, when) => `Wir rufen Sie unter ${phone} an: ${when}.`,
  },
  fr: {
    subject: (site) => `Votre conversation avec ${site}`,
    intro: (site) => `Voici votre conversation avec ${site} jusqu'ici.`,
    reply: "Répondez à cet e-mail pour poursuivre la conversation.",
    resume: "Continuer dans le chat sur notre site",
    you: "Vous",
    callbackSubject: (site) => `Votre rappel par ${site}`,
    callbackAt: (phone, when) => `Nous vous appellerons au ${phone} : ${when}.`,
  },
  es: {
    subject: (site) => `Tu conversación con ${site}`,
    intro: (site) => `Esta es tu conversación con ${site} hasta ahora.`,
    reply: "Responde a este correo para continuar la conversación.",
    resume: "Continuar en el chat de nuestra web",
    you: "Tú",
    callbackSubject: (site) => `Tu llamada de ${site}`,
    callbackAt: (phone, when) => `Te llamaremos al ${phone}: ${when}.`,
  },
  ru: {
    subject: (site) => `Ваш разговор с ${site}`,
    intro: (site) => `Ваш разговор с ${site} на данный момент.`,
    reply: "Ответьте на это письмо, чтобы продолжить разговор.",
    resume: "Продолжить в чате на нашем сайте",
    you: "Вы",
    callbackSubject: (site) => `Обратный звонок от ${site}`,
    callbackAt: (phone, when) => `Мы позвоним вам по номеру ${phone}: ${when}.`,
  },
  hr: {
    subject: (site) => `Vaš razgovor s ${site}`,
    intro: (site) => `Ovo je vaš dosadašnji razgovor s ${site}.`,
    reply: "Odgovorite na ovu poruku za nastavak razgovora.",
    resume: "Nastavite u chatu na našoj stranici",
    you: "Vi",
    callbackSubject: (site) => `Vaš povratni poziv od ${site}`,
    callbackAt: (phone, when) => `Nazvat ćemo vas na ${phone}: ${when}.`,
  },
  pl: {
    subject: (site) => `Twoja rozmowa z ${site}`,
    intro: (site) => `Oto Twoja dotychczasowa rozmowa z ${site}.`,
    reply: "Odpowiedz na tę wiadomość, aby kontynuować rozmowę.",
    resume: "Kontynuuj na czacie na naszej stronie",
    you: "Ty",
    callbackSubject: (site) => `Twoje oddzwonienie od ${site}`,
    callbackAt: (phone, when) => `Zadzwonimy pod numer ${phone}: ${when}.`,
  },
};

/** The words for a locale tag (`nl-BE` → `nl`), English when we have none. */
export const wordsFor = (locale: string | undefined): Words => wordsIn(WORDS, locale);

/** A display name safe in a From header: no quotes, brackets or line breaks. */
export function fromHeader(name: string, address: string): string {
  const clean = name.replace(/[\r\n"<>\\]/g, " ").trim();
  return clean ? `"${clean}" <${address}>` : address;
}

const html = (lang: string, body: string) =>
  `<!doctype html><html lang="${escapeHtml(lang)}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"></head><body style="font-family:system-ui,-apple-system,Segoe UI,sans-serif;font-size:16px;line-height:1.5;color:#1f2328;max-width:40em;margin:0 auto;padding:16px">${body}</body></html>`;

const paragraphs = (text: string) =>
  escapeHtml(text)
    .split(/\n{2,}/)
    .map((p) => `<p style="margin:0 0 8px;white-space:pre-wrap">${p}</p>`)
    .join("");

const resumeHtml = (w: Words, link: string) =>
  `<p style="margin:24px 0"><a href="${escapeHtml(link)}" style="color:#0b57d0">${escapeHtml(w.resume)}</a></p><p style="color:#57606a;font-size:14px">${escapeHtml(w.reply)}</p>`;

/** Who said a line in a transcript. */
function speaker(event: ThreadEvent, w: Words, siteName: string): string {
  if (event.author.role === "visitor") return w.you;
  return event.author.name ?? siteName;
}

export interface Composed {
  subject: string;
  text: string;
  html: string;
}

/**
 * The handoff mail: the visible messages so far, then the resume link.
 *
 * @example
 * const { subject, text, html } = composeTranscript({ events, siteName: "Shop", locale: "en", resumeLink });
 */
export function composeTranscript(input: {
  events: ThreadEvent[];
  siteName: string;
  locale?: string;
  resumeLink: string;
}): Composed {
  const w = wordsFor(input.locale);
  const lang = languageOf(input.locale);
  const messages = input.events.filter((e) => e.type === "message");
  const textLines = messages.map(
    (e) =>
      `${speaker(e, w, input.siteName)} (${e.createdAt.slice(0, 16).replace("T", " ")} UTC):\n${e.text}`,
  );
  const text = [
    w.intro(input.siteName),
    "",
    ...textLines.flatMap((line) => [line, ""]),
    `${w.resume}: ${input.resumeLink}`,
    "",
    w.reply,
  ].join("\n");
  const items = messages
    .map(
      (e) =>
        `<li style="margin:0 0 12px"><strong>${escapeHtml(speaker(e, w, input.siteName))}</strong> <span style="color:#57606a;font-size:13px">${escapeHtml(e.createdAt.slice(0, 16).replace("T", " "))} UTC</span>${paragraphs(e.text)}</li>`,
    )
    .join("");
  return {
    subject: w.subject(input.siteName),
    text,
    html: html(
      lang,
      `<p>${escapeHtml(w.intro(input.siteName))}</p><ul style="list-style:none;padding:0">${items}</ul>${resumeHtml(w, input.resumeLink)}`,
    ),
  };
}

/**
 * An agent's reply by mail, with the resume link.
 *
 * @example
 * const mail = composeReply({ event, siteName: "Shop", locale: "nl", resumeLink });
 */
export function composeReply(input: {
  event: ThreadEvent;
  siteName: string;
  locale?: string;
  resumeLink: string;
}): Composed {
  const w = wordsFor(input.locale);
  const lang = languageOf(input.locale);
  const who = input.event.author.name ?? input.siteName;
  const text = [
    input.event.text,
    "",
    `— ${who}, ${input.siteName}`,
    "",
    `${w.resume}: ${input.resumeLink}`,
    "",
    w.reply,
  ].join("\n");
  return {
    subject: w.subject(input.siteName),
    text,
    html: html(
      lang,
      `${paragraphs(input.event.text)}<p style="color:#57606a">— ${escapeHtml(who)}, ${escapeHtml(input.siteName)}</p>${resumeHtml(w, input.resumeLink)}`,
    ),
  };
}

/**
 * The callback confirmation: when we will call and at which number, in the visitor's language
 * and time zone, with the resume link.
 *
 * @example
 * const mail = composeCallbackNotice({ callback, siteName: "Shop", locale: "nl", resumeLink });
 */
export function composeCallbackNotice(input: {
  callback: {
    phone: string;
    timeZone: string;
    window: { from: string; to: string };
    asap: boolean;
    scheduledFor?: string;
  };
  siteName: string;
  locale?: string;
  resumeLink: string;
}): Composed {
  const { callback } = input;
  const w = wordsFor(input.locale);
  const lang = languageOf(input.locale);
  const line = w.callbackAt(callback.phone, callbackTime(callback, input.locale));
  const text = [line, "", `${w.resume}: ${input.resumeLink}`, "", w.reply].join("\n");
  return {
    subject: w.callbackSubject(input.siteName),
    text,
    html: html(lang, `${paragraphs(line)}${resumeHtml(w, input.resumeLink)}`),
  };
}
