import type { Launcher, Panel } from "../i18n.ts";

/** Croatian: `launcher` ships in widget.js, `panel` is its pack, loaded on open (i18n.ts). */
export const launcher: Launcher = [
  "Otvori chat", // open
  "Zatvori chat", // close
  "Nepročitano: {0}", // unread
];

export const panel: Panel = [
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
  "Poruke", // messages
  "Drugi načini kontakta", // more
  "putem aplikacije {0}", // via_app
  "e-poštom", // via_email
  "telefonom", // via_callback
  "Nastavi u aplikaciji {0}", // go_app
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
  "Broj telefona", // phone
  "Država", // country
  "Kada vas možemo nazvati?", // when
  "Što prije", // asap
  "O čemu se radi? (neobavezno)", // note
  "Povratni poziv zatražen za {0}", // cb_requested
  "Nazvat ćemo vas: {0}", // cb_scheduled
  "Nazvali smo vas.", // cb_completed
  "Povratni poziv nije uspio.", // cb_missed
  "Povratni poziv otkazan.", // cb_cancelled
  "Možemo li vas nazvati neki drugi put?", // cb_offered
  "Povratni poziv zatražen: što prije", // cb_soon
  "Otkaži povratni poziv", // cb_cancel
];
