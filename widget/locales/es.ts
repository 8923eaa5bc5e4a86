import type { Launcher, Panel } from "../i18n.ts";

/** Spanish: `launcher` ships in widget.js, `panel` is its pack, loaded on open (i18n.ts). */
export const launcher: Launcher = [
  "Abrir chat", // open
  "Cerrar chat", // close
  "No leídos: {0}", // unread
];

export const panel: Panel = [
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
  "Mensajes", // messages
  "Otras formas de contactarnos", // more
  "por {0}", // via_app
  "por correo", // via_email
  "por teléfono", // via_callback
  "Continuar en {0}", // go_app
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
  "Número de teléfono", // phone
  "País", // country
  "¿Cuándo te llamamos?", // when
  "Lo antes posible", // asap
  "¿De qué se trata? (opcional)", // note
  "Llamada solicitada para {0}", // cb_requested
  "Te llamaremos: {0}", // cb_scheduled
  "Te hemos llamado.", // cb_completed
  "La llamada no se realizó.", // cb_missed
  "Llamada cancelada.", // cb_cancelled
  "¿Te llamamos en otro momento?", // cb_offered
  "Llamada solicitada: lo antes posible", // cb_soon
  "Cancelar llamada", // cb_cancel
];
