import type { Launcher, Panel } from "../i18n.ts";

/** English: both parts ship in widget.js; the fallback of every other locale's panel. */
export const launcher: Launcher = [
  "Open chat", // open
  "Close chat", // close
  "{0} unread", // unread
];

export const panel: Panel = [
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
  "Messages", // messages
  "Other ways to reach us", // more
  "via {0}", // via_app
  "via email", // via_email
  "via phone", // via_callback
  "Continue on {0}", // go_app
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
  "Phone number", // phone
  "Country", // country
  "When should we call?", // when
  "As soon as possible", // asap
  "Note (optional)", // note
  "Callback requested for {0}", // cb_requested
  "We'll call you at {0}", // cb_scheduled
  "We called you.", // cb_completed
  "Callback missed.", // cb_missed
  "Callback cancelled.", // cb_cancelled
  "Shall we call you at another time?", // cb_offered
  "Callback requested as soon as possible", // cb_soon
  "Cancel callback", // cb_cancel
];
