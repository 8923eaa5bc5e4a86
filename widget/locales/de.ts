import type { Launcher, Panel } from "../i18n.ts";

/** German: `launcher` ships in widget.js, `panel` is its pack, loaded on open (i18n.ts). */
export const launcher: Launcher = [
  "Chat öffnen", // open
  "Chat schließen", // close
  "{0} ungelesen", // unread
];

export const panel: Panel = [
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
  "Nachrichten", // messages
  "Weitere Kontaktwege", // more
  "über {0}", // via_app
  "per E-Mail", // via_email
  "per Telefon", // via_callback
  "Weiter in {0}", // go_app
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
  "Telefonnummer", // phone
  "Land", // country
  "Wann dürfen wir anrufen?", // when
  "So bald wie möglich", // asap
  "Worum geht es? (optional)", // note
  "Rückruf angefordert für {0}", // cb_requested
  "Wir rufen Sie an: {0}", // cb_scheduled
  "Wir haben Sie angerufen.", // cb_completed
  "Der Rückruf hat nicht geklappt.", // cb_missed
  "Rückruf storniert.", // cb_cancelled
  "Sollen wir Sie zu einer anderen Zeit anrufen?", // cb_offered
  "Rückruf angefordert: so bald wie möglich", // cb_soon
  "Rückruf stornieren", // cb_cancel
];
