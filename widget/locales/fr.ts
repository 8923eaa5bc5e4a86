import type { Launcher, Panel } from "../i18n.ts";

/** French: `launcher` ships in widget.js, `panel` is its pack, loaded on open (i18n.ts). */
export const launcher: Launcher = [
  "Ouvrir le chat", // open
  "Fermer le chat", // close
  "Non lus : {0}", // unread
];

export const panel: Panel = [
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
  "Messages", // messages
  "Autres moyens de nous joindre", // more
  "via {0}", // via_app
  "par e-mail", // via_email
  "par téléphone", // via_callback
  "Continuer sur {0}", // go_app
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
  "Numéro de téléphone", // phone
  "Pays", // country
  "Quand vous appeler ?", // when
  "Dès que possible", // asap
  "À quel sujet ? (facultatif)", // note
  "Rappel demandé pour {0}", // cb_requested
  "Nous vous appellerons : {0}", // cb_scheduled
  "Nous vous avons appelé.", // cb_completed
  "Le rappel n’a pas eu lieu.", // cb_missed
  "Rappel annulé.", // cb_cancelled
  "Vous rappeler à un autre moment ?", // cb_offered
  "Rappel demandé : dès que possible", // cb_soon
  "Annuler le rappel", // cb_cancel
];
