/**
 * What a person wrote in a reply, without the history their mail client quoted below it and
 * without their signature. Plain line rules, tested against the shapes Gmail, Apple Mail,
 * Outlook and Thunderbird write (see `strip.test.ts`); the full original stays with the event.
 */

/** Attribution lines: "On <date>, <name> wrote:" in the seeds' languages. */
const ATTRIBUTION =
  /^(?:on|am|le|el|op|w dniu|dana|\d{1,4}[./\-\s]).{0,300}(?:wrote|schrieb|a écrit|escribió|schreef|pisze|napisał\(a\)|napisał|napisała|napisao je|napisala je|napisao|napisala|написал\(а\)|написал|написала|пишет)(?:\s.{0,120})?\s*:$/i;
/** "-----Original Message-----" and its translations. */
const ORIGINAL =
  /^-{2,}\s*(?:original message|ursprüngliche nachricht|oorspronkelijk bericht|message d'origine|mensaje original|wiadomość oryginalna|оригинальное сообщение|исходное сообщение|izvorna poruka)\s*-{2,}$/i;
/** Outlook's header block: From: … then Sent:/Date: … within a few lines. */
const OUTLOOK_FROM = /^\*?(?:from|van|von|de|od|от)\s*:\*?\s+\S/i;
const OUTLOOK_SENT =
  /^\*?(?:sent|date|verzonden|datum|gesendet|envoyé|enviado|fecha|wysłano|data|отправлено|дата|poslano)\s*:\*?\s+\S/i;
/** Outlook's rule above the header block. */
const RULE = /^_{10,}$/;
/** Mobile clients' footers. */
const DEVICE_FOOTER =
  /^(?:sent from my \S.*|sent from (?:mail|outlook) for \S.*|get outlook for \S.*|von meinem \S.* gesendet|verzonden vanaf mijn \S.*|envoyé de mon \S.*|enviado desde mi \S.*|отправлено с \S.*)$/i;
const SIGNATURE = /^--\s?$/;

function attributionAt(lines: string[], index: number): number {
  // Gmail wraps long attributions over two or three lines.
  for (let span = 1; span <= 3 && index + span <= lines.length; span++) {
    const joined = lines
      .slice(index, index + span)
      .map((l) => l.trim())
      .join(" ");
    if (span > 1 && lines[index + span - 1]!.trim() === "") break;
    if (ATTRIBUTION.test(joined)) return span;
  }
  return 0;
}

/** The index of the line where quoted history starts, or -1. */
function historyStart(lines: string[]): number {
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line.startsWith(">")) continue;
    if (ORIGINAL.test(line)) return i;
    const span = attributionAt(lines, i);
    if (span > 0) {
      // An attribution counts when quoted lines (or nothing) follow it.
      const next = lines.slice(i + span).find((l) => l.trim() !== "");
      if (next === undefined || next.trim().startsWith(">")) return i;
    }
    const outlookHeader =
      OUTLOOK_FROM.test(line) && lines.slice(i + 1, i + 5).some((l) => OUTLOOK_SENT.test(l.trim()));
    if (outlookHeader) {
      const before = lines[i - 1]?.trim();
      return before !== undefined && RULE.test(before) ? i - 1 : i;
    }
    if (RULE.test(line) && OUTLOOK_FROM.test(lines[i + 1]?.trim() ?? "")) return i;
  }
  return -1;
}

/** Drops the signature (from a "-- " line on) and device footers at the end. */
function dropSignature(lines: string[]): string[] {
  const cut = lines.findIndex((l) => SIGNATURE.test(l));
  const kept = cut >= 0 ? lines.slice(0, cut) : [...lines];
  for (;;) {
    while (kept.length && kept.at(-1)!.trim() === "") kept.pop();
    if (kept.length && DEVICE_FOOTER.test(kept.at(-1)!.trim())) kept.pop();
    else return kept;
  }
}

function tidy(lines: string[]): string {
  return lines
    .map((l) => l.replace(/\s+$/, ""))
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

/**
 * The new text of a reply: lines before the quoted history (an attribution line, Outlook's
 * header block or "-----Original Message-----"), without `>` lines (interleaved quotes) and
 * without the signature (`-- `) or a "Sent from my …" footer. A reply written below the quote
 * (bottom posting) keeps what follows it. Never empty when the input had text: a message that
 * is all quote answers its text unchanged.
 *
 * @example
 * stripReply("Yes, 1234\n\nOn Mon, Jan 6, 2025 at 9:00 AM Shop <s@x> wrote:\n> Order number?");
 * // { text: "Yes, 1234", stripped: true }
 */
export function stripReply(input: string): { text: string; stripped: boolean } {
  const all = input.replace(/\r\n?/g, "\n").split("\n");
  const start = historyStart(all);
  const unquoted = (lines: string[]) => lines.filter((l) => !l.trimStart().startsWith(">"));
  let text = tidy(dropSignature(unquoted(start >= 0 ? all.slice(0, start) : all)));
  if (text === "" && start >= 0) {
    // Bottom posting: the answer follows the quote.
    const after = all.slice(start + Math.max(1, attributionAt(all, start)));
    text = tidy(dropSignature(unquoted(after)));
  }
  const original = input.replace(/\r\n?/g, "\n").trim();
  if (text === "") return { text: original, stripped: false };
  return { text, stripped: text !== original };
}

const ENTITIES: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: " ",
  "#39": "'",
};

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]{1,6}|#\d{1,7}|[a-z]{2,8}|#39);/gi, (whole, name: string) => {
    const lower = name.toLowerCase();
    if (lower.startsWith("#x")) return safeCodePoint(Number.parseInt(lower.slice(2), 16), whole);
    if (lower.startsWith("#")) return safeCodePoint(Number.parseInt(lower.slice(1), 10), whole);
    return ENTITIES[lower] ?? whole;
  });
}

function safeCodePoint(code: number, fallback: string): string {
  return Number.isFinite(code) && code > 0 && code <= 0x10ffff
    ? String.fromCodePoint(code)
    : fallback;
}

const BLOCK = /^(?:p|div|br|li|tr|h[1-6]|table|ul|ol|blockquote|pre|hr)$/;

/**
 * Text of an HTML-only mail, for the thread: tags dropped, entities decoded, blocks on their
 * own lines, and `<blockquote>` contents (how Gmail, Apple Mail and Thunderbird quote in HTML)
 * prefixed with `> ` so `stripReply` removes them as it does in plain text.
 *
 * @example
 * htmlToText("<p>Hi &amp; bye</p><blockquote>old</blockquote>"); // "Hi & bye\n> old"
 */
export function htmlToText(html: string): string {
  const cleaned = html
    .replace(/<!--[\s\S]*?-->/g, "")
    .replace(/<(script|style|head|title)\b[\s\S]*?<\/\1\s*>/gi, "");
  let depth = 0;
  let out = "";
  let line = "";
  const flush = () => {
    const text = decodeEntities(line)
      .replace(/[ \t\u00a0]+/g, " ")
      .trim();
    out += `${depth > 0 || quotedLine ? "> ".repeat(Math.max(depth, quotedLine)) : ""}${text}\n`;
    line = "";
    quotedLine = 0;
  };
  let quotedLine = 0;
  for (const part of cleaned.split(/(<[^>]*>)/)) {
    if (!part.startsWith("<")) {
      line += part.replace(/\s+/g, " ");
      if (depth > 0) quotedLine = Math.max(quotedLine, depth);
      continue;
    }
    const tag = /^<\s*(\/?)\s*([a-z0-9]+)/i.exec(part);
    if (!tag) continue;
    const closing = tag[1] === "/";
    const name = tag[2]!.toLowerCase();
    if (!BLOCK.test(name)) continue;
    if (line.trim() !== "") flush();
    else line = "";
    if (name === "blockquote") depth = Math.max(0, depth + (closing ? -1 : 1));
    if (name === "p" && closing) out += "\n";
  }
  if (line.trim() !== "") flush();
  return out.replace(/\n{3,}/g, "\n\n").trim();
}
