/**
 * The carrier keywords every SMS sender must honour (CTIA's and Twilio's lists): a text that is
 * one of them, alone, changes what the number may receive; anything longer is a message. Twilio
 * also acts on them itself (it confirms STOP and refuses later sends with 21610), so the channel
 * keeps the same state and shows it to the agent.
 */

const STOP = new Set([
  "STOP",
  "STOPALL",
  "UNSUBSCRIBE",
  "CANCEL",
  "END",
  "QUIT",
  "REVOKE",
  "OPTOUT",
]);
const START = new Set(["START", "UNSTOP", "YES"]);
const HELP = new Set(["HELP", "INFO"]);

export type Keyword = "stop" | "start" | "help";

/**
 * The keyword a text is, or null: the whole text, in any case, with surrounding spaces and a
 * final full stop or exclamation mark ignored.
 *
 * @example
 * keywordOf(" Stop! "); // "stop"
 * keywordOf("please stop texting me"); // null: a message, which an agent reads
 */
export function keywordOf(text: string): Keyword | null {
  const word = text
    .trim()
    .replace(/[.!]+$/, "")
    .toUpperCase();
  if (STOP.has(word)) return "stop";
  if (START.has(word)) return "start";
  if (HELP.has(word)) return "help";
  return null;
}
