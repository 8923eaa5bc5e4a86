import {
  ATTRIBUTION_END,
  ATTRIBUTION_LEAD,
  DASHED_ATTRIBUTION,
  DISCLAIMER,
  FORWARD_MARKER,
  FORWARD_SUBJECT,
  GMAIL_ISO_ATTRIBUTION,
  headerLabels,
  isDeviceFooter,
  ORIGINAL_MESSAGE,
} from "./quote-headers.ts";

/**
 * What a person wrote in a reply, without the history their mail client quoted, its header,
 * their device footer and their signature. Line rules over the shapes real clients write in
 * many languages (`quote-headers.ts`), measured on `test/fixtures/email-corpus/` by
 * `npm run bench:email`. When unsure it keeps text: the original stays with the event.
 */

export interface Stripped {
  /** The text the agent reads. */
  text: string;
  /** Whether anything was removed. */
  stripped: boolean;
  /** The mail forwards another one; its content is kept. */
  forwarded?: boolean;
}

interface History {
  /** The first line of the history (its header, or its first quoted line). */
  start: number;
  /** The first line after the header. */
  body: number;
  /** `quoted`: `>` lines follow; `unmarked`: the old mail follows without marks (Outlook). */
  kind: "quoted" | "unmarked" | "forward";
}

/** `>` quotes, and Supercite's "Ana>" quotes. */
const QUOTED = /^\s*(?:[A-Z][A-Za-z]{0,9})?>/;
const RULE = /^[\s>]*(?:_{4,}|-{4,}|={4,}|\*{4,})\s*$/;
/** "-- " (RFC 3676), and the dotted rule some shops put above their signature. */
const SIGNATURE = /^(?:--\s?|\**(?:\s*\.){5,}\s*\**)$/;
const TIME = /\p{Nd}{1,2}[:.]\p{Nd}{2}|\p{Nd}{4}|\p{Nd}{1,2}[./-]\p{Nd}{1,2}[./-]\p{Nd}{2,4}/u;
const ADDRESS = /\S@\S|<[^>]*>|\[mailto:/;
/** Starts like a date ("30.09.2017, …", "Wednesday, 17 November …", "ср, 30 апр. …"). */
const DATE_FIRST = /^(?:\p{Nd}|\p{L}{2,11}\.?,\s*\p{Nd})/u;
const LEAD = /^(?:on|am|le|el|il|em|op|den|dne|dana|dnia|w dniu)\s/i;
/** A mailing list's footer ("____ / riak-users mailing list / …/listinfo/…"). */
const LIST_FOOTER = /mailing list|\/listinfo\/|^to unsubscribe/i;
/** Marks that show nothing (bidi controls, zero-width space, BOM, Gmail's tracking dot). */
const INVISIBLE = /[\u200b\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff\u1427]/g;

/** A line as the rules see it: invisible marks and Markdown bold removed. */
const bare = (line: string) => line.replace(INVISIBLE, "").replace(/\*\*/g, "");
const isBlank = (line: string | undefined) => line === undefined || bare(line).trim() === "";
const quoted = (line: string | undefined) => line !== undefined && QUOTED.test(bare(line));

function nextFilled(lines: string[], from: number): string | undefined {
  return lines.slice(from).find((l) => !isBlank(l));
}

/**
 * Whether lines `from..to` (inclusive) read as an attribution. A line that ends with a
 * "wrote" verb needs a date or an address in it, or a quote after it ("Ana wrote:"); a
 * verbless one ("2016-10-24 15:36 GMT+02:00 Foo <foo@x>:", Russian and Japanese Gmail)
 * needs a date and an address, and a quote after it unless it starts with the date.
 */
function isAttribution(lines: string[], from: number, to: number): boolean {
  const text = lines
    .slice(from, to + 1)
    .map((l) => bare(l).trim())
    .join(" ");
  return readsAsAttribution(text, quoted(nextFilled(lines, to + 1)));
}

function readsAsAttribution(text: string, quoteFollows: boolean): boolean {
  if (text.length > 400) return false;
  if (GMAIL_ISO_ATTRIBUTION.test(text) || ATTRIBUTION_LEAD.test(text)) return true;
  if (ATTRIBUTION_END.test(text)) {
    if (TIME.test(text) || ADDRESS.test(text)) return true;
    return quoteFollows && text.length <= 100 && text.split(/\s+/).length <= 10;
  }
  const verbless = /[:：]\s*$/.test(text) && TIME.test(text) && ADDRESS.test(text);
  return verbless && (quoteFollows || DATE_FIRST.test(text));
}

/**
 * Gmail and Apple Mail wrap a long attribution over up to four lines: the lines above the one
 * that ends it belong when each carries a date, an address or a trailing "<", or starts as
 * attributions start ("On Wed, Dec 9, …").
 */
function attributionStart(lines: string[], end: number): number {
  let start = end;
  while (start > 0 && end - start < 3) {
    const above = bare(lines[start - 1]!).trim();
    if (above === "" || quoted(above) || /(?<!\p{Nd})[.!?]$/u.test(above) || above.length > 120) {
      break;
    }
    const lead = LEAD.test(above) && /\p{Nd}/u.test(above);
    if (!(TIME.test(above) || ADDRESS.test(above) || /[<(]$/.test(above) || lead)) {
      break;
    }
    start--;
  }
  return start;
}

/**
 * The end (exclusive) of an Outlook header block starting at `at` ("From: … Sent: … To: …
 * Subject: …", any language and order, blank lines and wrapped values allowed), or -1.
 */
function headerBlockEnd(lines: string[], at: number): number {
  const first = headerLabels(bare(lines[at]!));
  if (first.length === 0) return -1;
  const seen = new Set(first);
  let end = at + 1;
  let others = 0;
  for (let i = at + 1; i < lines.length && i <= at + 12 && others < 2; i++) {
    if (isBlank(lines[i])) continue;
    const labels = headerLabels(bare(lines[i]!));
    if (labels.length === 0) {
      others++;
      continue;
    }
    for (const label of labels) seen.add(label);
    others = 0;
    end = i + 1;
  }
  if (!(seen.has("from") || seen.has("sent")) || seen.size < 2) return -1;
  const starts = first[0] === "from" || first[0] === "sent";
  return starts || seen.size >= 3 ? end : -1;
}

/** Where the quoted history starts, and what kind it is; null when the mail quotes nothing. */
function findHistory(lines: string[]): History | null {
  for (let i = 0; i < lines.length; i++) {
    const line = bare(lines[i]!);
    if (isBlank(line)) continue;
    if (FORWARD_MARKER.test(line)) return { start: i, body: i, kind: "forward" };
    if (quoted(line)) return { start: i, body: i, kind: "quoted" };
    if (ORIGINAL_MESSAGE.test(line) || DASHED_ATTRIBUTION.test(line)) {
      return { start: i, body: i + 1, kind: "unmarked" };
    }
    const blockEnd = headerBlockEnd(lines, i);
    if (blockEnd > 0) {
      // Outlook draws a rule above the block.
      const above = lines.slice(0, i).findLastIndex((l) => !isBlank(l));
      const start = above >= 0 && i - above <= 2 && RULE.test(bare(lines[above]!)) ? above : i;
      return { start, body: blockEnd, kind: "unmarked" };
    }
    // Phones put their footer below what was written, and the old mail below the footer.
    if (isDeviceFooter(line) && nextFilled(lines, i + 1) !== undefined) {
      return { start: i, body: i + 1, kind: "unmarked" };
    }
    for (let end = i; end <= i + 3 && end < lines.length && !isBlank(lines[end]); end++) {
      if (attributionStart(lines, end) !== i || !isAttribution(lines, i, end)) continue;
      const kind = quoted(nextFilled(lines, end + 1)) ? "quoted" : "unmarked";
      return { start: i, body: end + 1, kind };
    }
  }
  return null;
}

/**
 * Cuts the signature (`-- ` on), and at the end a rule, device footers, a mailing list's
 * footer and a legal disclaimer.
 */
function dropSignature(lines: string[]): string[] {
  const cut = lines.findIndex((l) => SIGNATURE.test(bare(l).trim()));
  const kept = cut >= 0 ? lines.slice(0, cut) : [...lines];
  for (;;) {
    while (kept.length && (isBlank(kept.at(-1)) || RULE.test(bare(kept.at(-1)!)))) kept.pop();
    const last = kept.at(-1);
    if (last !== undefined && isDeviceFooter(bare(last))) {
      kept.pop();
      continue;
    }
    const rule = kept.findLastIndex((l) => /^\s*_{2,}\s*$/.test(l));
    if (rule >= 0 && kept.slice(rule + 1).some((l) => LIST_FOOTER.test(l))) {
      kept.length = rule;
      continue;
    }
    // A disclaimer is the last paragraph, or the last line when nothing sets it apart.
    const paragraph = kept.findLastIndex(isBlank) + 1;
    const from = [paragraph, kept.length - 1].find(
      (i) => i > 0 && DISCLAIMER.test(bare(kept[i]!).trim()),
    );
    if (from !== undefined) {
      kept.length = from;
      continue;
    }
    return kept;
  }
}

/** A quoted block without the attribution an HTML quote carries inside it (Gmail's gmail_attr). */
function withoutAttribution(block: string[]): string[] {
  const first = bare(block[0] ?? "").replace(/^\s*>\s?/, "");
  return readsAsAttribution(first.trim(), true) ? block.slice(1) : block;
}

type Segment = { quoted: boolean; lines: string[] };

/**
 * A line a client wrapped out of its quote: unmarked, right between two quoted lines, after
 * a long one or a quoted-printable soft break ("…pharetra d" / "ignissim odio?" / "> …").
 */
function wrappedQuote(lines: string[], i: number): boolean {
  const before = lines[i - 1];
  const after = lines[i + 1];
  if (!quoted(before) || !(after === undefined || quoted(after))) return false;
  return before!.trimEnd().length >= 60 || before!.trimEnd().endsWith("=");
}

/** The history's lines split into runs of quoted lines and of the sender's own. */
function segments(lines: string[]): Segment[] {
  const runs: Segment[] = [];
  lines.forEach((line, i) => {
    const last = runs.at(-1);
    if (isBlank(line)) {
      last?.lines.push(line);
      return;
    }
    const isQuoted = quoted(line) || wrappedQuote(lines, i);
    if (last && last.quoted === isQuoted) last.lines.push(line);
    else runs.push({ quoted: isQuoted, lines: [line] });
  });
  return runs;
}

/**
 * Answers written between or below the quoted lines. One answer is the reply (bottom-posting,
 * or one answer under the question it quotes): it stands alone. Several answers between
 * quoted blocks keep, before each, the block they answer.
 */
function answersIn(history: string[]): string[] {
  const runs = segments(history).map((run) =>
    run.quoted ? run : { quoted: false, lines: dropSignature(run.lines) },
  );
  const answers = runs.filter((run) => !run.quoted && run.lines.length > 0);
  if (answers.length === 0) return [];
  if (answers.length === 1) return answers[0]!.lines;
  const kept: string[] = [];
  runs.forEach((run, i) => {
    if (run.quoted || run.lines.length === 0) return;
    const before = runs[i - 1];
    if (before?.quoted)
      kept.push("", ...withoutAttribution(before.lines.filter((l) => !isBlank(l))));
    kept.push(...run.lines);
  });
  return kept;
}

function tidy(lines: string[]): string {
  return lines
    .map((l) => l.replace(/\s+$/, ""))
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

/**
 * The new text of a reply. Quoted history starts at an attribution ("On … wrote:" and its
 * translations, verbless ones too), Outlook's header block, an "Original Message" rule, or
 * the first `>` line; what follows an unmarked header is history even without `>` marks. A
 * forward (a forward marker, or Outlook's header block in a mail whose `subject` says "Fwd:")
 * keeps the forwarded content. Never empty when the input had text: a mail that is all quote
 * answers its text unchanged.
 *
 * @example
 * stripReply("Yes, 1234\n\nOn Mon, Jan 6, 2025 at 9:00 AM Shop <s@x> wrote:\n> Order number?");
 * // { text: "Yes, 1234", stripped: true }
 */
export function stripReply(input: string, options: { subject?: string } = {}): Stripped {
  const original = input.replace(/\r\n?/g, "\n").replace(/\u00a0/g, " ");
  const lines = original.split("\n");
  const forwardMail = FORWARD_SUBJECT.test(options.subject ?? "");
  const found = findHistory(lines);
  // In a mail its subject calls a forward, what follows the note is the forwarded mail.
  const history = found && forwardMail ? { ...found, kind: "forward" as const } : found;
  const top = dropSignature(history ? lines.slice(0, history.start) : lines);
  let kept = top;
  if (history?.kind === "forward") kept = [...top, "", ...lines.slice(history.start)];
  else if (history?.kind === "quoted") {
    kept = [...top, "", ...answersIn(lines.slice(history.body))];
  } else if (history && top.length === 0) {
    // Nothing above an unmarked header: the text is below it.
    kept = dropSignature(lines.slice(history.body));
  }
  const text = tidy(kept);
  const whole = original.trim();
  if (text === "") return { text: whole, stripped: false };
  return {
    text,
    stripped: text !== whole,
    ...(history?.kind === "forward" ? { forwarded: true } : {}),
  };
}
