import type { Launcher, Panel } from "../i18n.ts";

/** Dutch: `launcher` ships in widget.js, `panel` is its pack, loaded on open (i18n.ts). */
export const launcher: Launcher = [
  "Chat openen", // open
  "Chat sluiten", // close
  "{0} ongelezen", // unread
];

export const panel: Panel = [
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
  "Berichten", // messages
  "Andere manieren om ons te bereiken", // more
  "via {0}", // via_app
  "via e-mail", // via_email
  "via telefoon", // via_callback
  "Verder via {0}", // go_app
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
  "Telefoonnummer", // phone
  "Land", // country
  "Wanneer mogen we bellen?", // when
  "Zo snel mogelijk", // asap
  "Waarover gaat het? (optioneel)", // note
  "Terugbelverzoek voor {0}", // cb_requested
  "We bellen je op {0}", // cb_scheduled
  "We hebben je gebeld.", // cb_completed
  "Terugbellen is niet gelukt.", // cb_missed
  "Terugbelverzoek geannuleerd.", // cb_cancelled
  "Zullen we je op een ander moment bellen?", // cb_offered
  "Terugbelverzoek: zo snel mogelijk", // cb_soon
  "Terugbellen annuleren", // cb_cancel
];
