/**
 * Every string the widget shows, in every locale it speaks: en, nl, ru, hr, pl, de, fr, es.
 * Each locale is one row in `KEYS` order (a tuple, so a missing or extra string fails the type
 * check); the comment after each string names its key. Rows instead of objects keep the key names
 * out of the bundle: eight locales of keys would cost ~400 bytes of the 16 KB budget.
 * `{0}` is filled by `format()`. Keep translations short: they sit in buttons.
 */

/** The string keys, in row order. `via_*`: badge on a message from another channel; `go_*`: the
 * "other ways to reach us" menu entries; `away`: the notice outside business hours or with no
 * agent online; `email`, `transcript`: the email handoff's field and checkbox; `csat` … `rated`:
 * the rating card after a resolve. */
export const KEYS = [
  "open",
  "close",
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
  "unread",
  "messages",
  "more",
  "via_messenger",
  "via_email",
  "via_callback",
  "go_messenger",
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
] as const;

export type Key = (typeof KEYS)[number];
type RowOf<T extends readonly string[]> = { -readonly [I in keyof T]: string };
type Row = RowOf<typeof KEYS>;
/** A locale's strings, in `KEYS` order. */
export type Strings = Readonly<Row>;
/** Each string's index in a row, by key (`t[SEND]`): numbers keep the key names out of the bundle
 * (the test checks them against `KEYS`). */
export const OPEN = 0;
export const CLOSE = 1;
export const TITLE = 2;
export const GREETING = 3;
export const INPUT = 4;
export const SEND = 5;
export const SENDING = 6;
export const FAILED = 7;
export const RETRY = 8;
export const CONNECTING = 9;
export const OFFLINE = 10;
export const ERROR = 11;
export const TYPING = 12;
export const YOU = 13;
export const AGENT = 14;
export const UNREAD = 15;
export const MESSAGES = 16;
export const MORE = 17;
export const VIA_MESSENGER = 18;
export const VIA_EMAIL = 19;
export const VIA_CALLBACK = 20;
export const GO_MESSENGER = 21;
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

const ROWS: Record<string, Row> = {
  // English
  en: [
    "Open chat", // open
    "Close chat", // close
    "Chat", // title
    "Hi! How can we help?", // greeting
    "Write a message…", // input
    "Send", // send
    "Sending…", // sending
    "Not sent.", // failed
    "Retry", // retry
    "Connecting…", // connecting
    "Offline. Reconnecting…", // offline
    "Could not connect.", // error
    "{0} is typing…", // typing
    "You", // you
    "Support", // agent
    "{0} unread", // unread
    "Messages", // messages
    "Other ways to reach us", // more
    "via Messenger", // via_messenger
    "via email", // via_email
    "via phone", // via_callback
    "Continue on Messenger", // go_messenger
    "Continue by email", // go_email
    "Request a callback", // go_callback
    "That did not work. Please try again.", // handoffError
    "Done: we will continue there.", // handoffDone
    "Your email", // email
    "Email me the whole conversation when it's resolved", // transcript
    "We're away. Leave a message and we'll reply here.", // away
    "How did we do?", // csat
    "Rate {0} out of 5", // rate
    "Comment", // comment
    "You rated {0}/5. Thanks!", // rated
  ],
  // Dutch
  nl: [
    "Chat openen", // open
    "Chat sluiten", // close
    "Chat", // title
    "Hallo! Waarmee kunnen we helpen?", // greeting
    "Typ een bericht…", // input
    "Versturen", // send
    "Versturen…", // sending
    "Niet verstuurd.", // failed
    "Opnieuw", // retry
    "Verbinden…", // connecting
    "Offline. Opnieuw verbinden…", // offline
    "Geen verbinding mogelijk.", // error
    "{0} typt…", // typing
    "Jij", // you
    "Klantenservice", // agent
    "{0} ongelezen", // unread
    "Berichten", // messages
    "Andere manieren om ons te bereiken", // more
    "via Messenger", // via_messenger
    "via e-mail", // via_email
    "via telefoon", // via_callback
    "Verder via Messenger", // go_messenger
    "Verder per e-mail", // go_email
    "Bel mij terug", // go_callback
    "Dat is niet gelukt. Probeer het opnieuw.", // handoffError
    "Gelukt: we gaan daar verder.", // handoffDone
    "Je e-mail", // email
    "Mail me het gesprek als het is opgelost", // transcript
    "We zijn er niet. Laat een bericht achter: we antwoorden hier.", // away
    "Hoe deden we het?", // csat
    "Geef {0} van de 5", // rate
    "Opmerking", // comment
    "Jouw score: {0}/5. Bedankt!", // rated
  ],
  // Russian
  ru: [
    "Открыть чат", // open
    "Закрыть чат", // close
    "Чат", // title
    "Здравствуйте! Чем можем помочь?", // greeting
    "Напишите сообщение…", // input
    "Отправить", // send
    "Отправка…", // sending
    "Не отправлено.", // failed
    "Повторить", // retry
    "Подключение…", // connecting
    "Нет связи. Переподключение…", // offline
    "Не удалось подключиться.", // error
    "{0} печатает…", // typing
    "Вы", // you
    "Поддержка", // agent
    "Непрочитанных: {0}", // unread
    "Сообщения", // messages
    "Другие способы связи", // more
    "из Messenger", // via_messenger
    "по почте", // via_email
    "по телефону", // via_callback
    "Продолжить в Messenger", // go_messenger
    "Продолжить по почте", // go_email
    "Заказать обратный звонок", // go_callback
    "Не получилось. Попробуйте ещё раз.", // handoffError
    "Готово: продолжим там.", // handoffDone
    "Ваша почта", // email
    "Прислать переписку на почту после решения", // transcript
    "Нас сейчас нет. Оставьте сообщение: мы ответим здесь.", // away
    "Как мы справились?", // csat
    "Оценка {0} из 5", // rate
    "Комментарий", // comment
    "Ваша оценка: {0}/5. Спасибо!", // rated
  ],
  // Croatian
  hr: [
    "Otvori chat", // open
    "Zatvori chat", // close
    "Chat", // title
    "Bok! Kako vam možemo pomoći?", // greeting
    "Napišite poruku…", // input
    "Pošalji", // send
    "Šalje se…", // sending
    "Nije poslano.", // failed
    "Pokušaj ponovno", // retry
    "Povezivanje…", // connecting
    "Izvan mreže. Ponovno povezivanje…", // offline
    "Povezivanje nije uspjelo.", // error
    "{0} piše…", // typing
    "Vi", // you
    "Podrška", // agent
    "Nepročitano: {0}", // unread
    "Poruke", // messages
    "Drugi načini kontakta", // more
    "putem Messengera", // via_messenger
    "e-poštom", // via_email
    "telefonom", // via_callback
    "Nastavi na Messengeru", // go_messenger
    "Nastavi e-poštom", // go_email
    "Zatraži povratni poziv", // go_callback
    "Nije uspjelo. Pokušajte ponovno.", // handoffError
    "Gotovo: nastavljamo tamo.", // handoffDone
    "Vaša e-pošta", // email
    "Pošaljite mi razgovor kad se riješi", // transcript
    "Nismo tu. Ostavite poruku i odgovorit ćemo ovdje.", // away
    "Kako smo vam pomogli?", // csat
    "Ocjena {0} od 5", // rate
    "Komentar", // comment
    "Vaša ocjena: {0}/5. Hvala!", // rated
  ],
  // Polish
  pl: [
    "Otwórz czat", // open
    "Zamknij czat", // close
    "Czat", // title
    "Cześć! Jak możemy pomóc?", // greeting
    "Napisz wiadomość…", // input
    "Wyślij", // send
    "Wysyłanie…", // sending
    "Nie wysłano.", // failed
    "Ponów", // retry
    "Łączenie…", // connecting
    "Brak połączenia. Ponowne łączenie…", // offline
    "Nie udało się połączyć.", // error
    "{0} pisze…", // typing
    "Ty", // you
    "Obsługa", // agent
    "Nieprzeczytane: {0}", // unread
    "Wiadomości", // messages
    "Inne sposoby kontaktu", // more
    "przez Messengera", // via_messenger
    "przez e-mail", // via_email
    "telefonicznie", // via_callback
    "Kontynuuj w Messengerze", // go_messenger
    "Kontynuuj przez e-mail", // go_email
    "Poproś o oddzwonienie", // go_callback
    "Nie udało się. Spróbuj ponownie.", // handoffError
    "Gotowe: kontynuujemy tam.", // handoffDone
    "Twój e-mail", // email
    "Wyślij mi rozmowę po rozwiązaniu", // transcript
    "Nie ma nas. Zostaw wiadomość: odpowiemy tutaj.", // away
    "Jak nam poszło?", // csat
    "Oceń na {0} z 5", // rate
    "Komentarz", // comment
    "Twoja ocena: {0}/5. Dziękujemy!", // rated
  ],
  // German
  de: [
    "Chat öffnen", // open
    "Chat schließen", // close
    "Chat", // title
    "Hallo! Wie können wir helfen?", // greeting
    "Nachricht schreiben…", // input
    "Senden", // send
    "Wird gesendet…", // sending
    "Nicht gesendet.", // failed
    "Erneut senden", // retry
    "Verbindung wird hergestellt…", // connecting
    "Offline. Neuer Versuch…", // offline
    "Keine Verbindung möglich.", // error
    "{0} schreibt…", // typing
    "Sie", // you
    "Support", // agent
    "{0} ungelesen", // unread
    "Nachrichten", // messages
    "Weitere Kontaktwege", // more
    "über Messenger", // via_messenger
    "per E-Mail", // via_email
    "per Telefon", // via_callback
    "Weiter im Messenger", // go_messenger
    "Weiter per E-Mail", // go_email
    "Rückruf anfordern", // go_callback
    "Das hat nicht geklappt. Bitte erneut versuchen.", // handoffError
    "Erledigt: Wir machen dort weiter.", // handoffDone
    "Ihre E-Mail", // email
    "Ganzes Gespräch nach Lösung mailen", // transcript
    "Wir sind nicht da. Schreiben Sie uns: Wir antworten hier.", // away
    "Wie waren wir?", // csat
    "Mit {0} von 5 bewerten", // rate
    "Kommentar", // comment
    "Ihre Bewertung: {0}/5. Danke!", // rated
  ],
  // French
  fr: [
    "Ouvrir le chat", // open
    "Fermer le chat", // close
    "Chat", // title
    "Bonjour ! Comment pouvons-nous vous aider ?", // greeting
    "Écrivez un message…", // input
    "Envoyer", // send
    "Envoi…", // sending
    "Non envoyé.", // failed
    "Réessayer", // retry
    "Connexion…", // connecting
    "Hors ligne. Reconnexion…", // offline
    "Connexion impossible.", // error
    "{0} écrit…", // typing
    "Vous", // you
    "Support", // agent
    "Non lus : {0}", // unread
    "Messages", // messages
    "Autres moyens de nous joindre", // more
    "via Messenger", // via_messenger
    "par e-mail", // via_email
    "par téléphone", // via_callback
    "Continuer sur Messenger", // go_messenger
    "Continuer par e-mail", // go_email
    "Demander un rappel", // go_callback
    "Échec. Veuillez réessayer.", // handoffError
    "C’est fait : on continue là-bas.", // handoffDone
    "Votre e-mail", // email
    "M’envoyer la conversation une fois résolue", // transcript
    "Nous sommes absents. Laissez un message : nous répondrons ici.", // away
    "Êtes-vous satisfait ?", // csat
    "Noter {0} sur 5", // rate
    "Commentaire", // comment
    "Votre note : {0}/5. Merci !", // rated
  ],
  // Spanish
  es: [
    "Abrir chat", // open
    "Cerrar chat", // close
    "Chat", // title
    "¡Hola! ¿En qué podemos ayudarte?", // greeting
    "Escribe un mensaje…", // input
    "Enviar", // send
    "Enviando…", // sending
    "No enviado.", // failed
    "Reintentar", // retry
    "Conectando…", // connecting
    "Sin conexión. Reconectando…", // offline
    "No se pudo conectar.", // error
    "{0} está escribiendo…", // typing
    "Tú", // you
    "Soporte", // agent
    "No leídos: {0}", // unread
    "Mensajes", // messages
    "Otras formas de contactarnos", // more
    "por Messenger", // via_messenger
    "por correo", // via_email
    "por teléfono", // via_callback
    "Continuar en Messenger", // go_messenger
    "Continuar por correo", // go_email
    "Pedir que te llamemos", // go_callback
    "No ha funcionado. Inténtalo de nuevo.", // handoffError
    "Listo: seguimos allí.", // handoffDone
    "Tu correo", // email
    "Enviarme la conversación al resolverla", // transcript
    "No estamos. Deja un mensaje y te responderemos aquí.", // away
    "¿Cómo lo hicimos?", // csat
    "Valorar con {0} de 5", // rate
    "Comentario", // comment
    "Tu valoración: {0}/5. ¡Gracias!", // rated
  ],
};

/** The supported locales. */
export const LOCALES = /* @__PURE__ */ Object.keys(ROWS);

/** A locale's strings (`t[SEND]`); English for an unknown locale. */
export function strings(locale: string): Strings {
  return ROWS[locale] ?? ROWS.en!;
}

/**
 * A channel's string from the `via_*` (badge, `first` = VIA_MESSENGER) or `go_*` (menu, GO_MESSENGER)
 * ones, which follow in this order in `KEYS`; else the channel's name.
 */
export function channelText(t: Strings, first: number, channel: string): string {
  const i = ["messenger", "email", "callback"].indexOf(channel);
  return i < 0 ? channel : t[first + i]!;
}

/**
 * The first supported language among the wanted ones (`data-locale`, then the browser's), else
 * English. Region subtags are ignored: `nl-BE` speaks `nl`.
 */
export function pickLocale(wanted: readonly (string | null | undefined)[]): string {
  for (const tag of wanted) {
    const language = tag?.toLowerCase().split(/[-_]/)[0];
    if (language && ROWS[language]) return language;
  }
  return "en";
}

/** Fills `{0}` in a string. */
export function format(text: string, value: string | number): string {
  return text.replace("{0}", `${value}`);
}
