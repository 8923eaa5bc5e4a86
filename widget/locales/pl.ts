import type { Launcher, Panel } from "../i18n.ts";

/** Polish: `launcher` ships in widget.js, `panel` is its pack, loaded on open (i18n.ts). */
export const launcher: Launcher = [
  "Otwórz czat", // open
  "Zamknij czat", // close
  "Nieprzeczytane: {0}", // unread
];

export const panel: Panel = [
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
  "Wiadomości", // messages
  "Inne sposoby kontaktu", // more
  "przez aplikację {0}", // via_app
  "przez e-mail", // via_email
  "telefonicznie", // via_callback
  "Kontynuuj w aplikacji {0}", // go_app
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
  "Numer telefonu", // phone
  "Kraj", // country
  "Kiedy mamy zadzwonić?", // when
  "Jak najszybciej", // asap
  "W jakiej sprawie? (opcjonalnie)", // note
  "Prośba o oddzwonienie: {0}", // cb_requested
  "Zadzwonimy: {0}", // cb_scheduled
  "Zadzwoniliśmy do Ciebie.", // cb_completed
  "Nie udało się oddzwonić.", // cb_missed
  "Oddzwonienie anulowane.", // cb_cancelled
  "Zadzwonić w innym terminie?", // cb_offered
  "Prośba o oddzwonienie: jak najszybciej", // cb_soon
  "Anuluj oddzwonienie", // cb_cancel
];
