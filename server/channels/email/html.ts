import type { ChildNode, Element } from "domhandler";
import { parseDocument } from "htmlparser2";
import { FORWARD_MARKER } from "./quote-headers.ts";

/**
 * The text of an HTML mail, for the thread, with the quoted history marked the way plain-text
 * clients mark it (`> ` lines) so that `stripReply` treats both alike. Quotes are found on the
 * DOM, where each client leaves its own trace — far surer than guessing from the text:
 * Gmail's `gmail_attr` and `blockquote.gmail_quote`, Apple's and Thunderbird's
 * `blockquote type="cite"` (Thunderbird's attribution in `moz-cite-prefix`), Yahoo's
 * `yahoo_quoted`, and Outlook's `divRplyFwdMsg` / `OLK_SRC_BODY_SECTION`, after which the old
 * message follows as siblings, so everything from there on is history. htmlparser2 runs on
 * Node and on workerd alike (no DOM on the edge).
 *
 * A forward stays unquoted: from a forward marker on (Gmail puts it in its quote, Apple Mail
 * cites what follows it) nothing is marked, nor is Outlook's history when `forward` says the
 * mail is one (its header block looks the same for both).
 *
 * @example
 * htmlToText('<div>Yes</div><div class="gmail_quote"><div class="gmail_attr">On Mon, Shop wrote:</div><blockquote class="gmail_quote">Size?</blockquote></div>');
 * // "Yes\n> On Mon, Shop wrote:\n> Size?"
 */
export function htmlToText(html: string, options: { forward?: boolean } = {}): string {
  const out = new TextOut();
  walk(parseDocument(html).children, out, options.forward === true);
  return out.finish();
}

const SKIPPED = new Set(["script", "style", "head", "title", "template", "noscript"]);
const BLOCK = new Set([
  ...["p", "div", "br", "li", "tr", "table", "ul", "ol", "dl", "dt", "dd", "blockquote", "pre"],
  ...["hr", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "header", "footer"],
  ...["center", "address", "figure", "figcaption", "main", "nav", "aside"],
]);
const QUOTE_CLASSES = ["gmail_attr", "moz-cite-prefix", "yahoo_quoted", "gmail_quote"];
const HISTORY_IDS = /^(?:divRplyFwdMsg|OLK_SRC_BODY_SECTION)$/i;

function classes(el: Element): string[] {
  return (el.attribs.class ?? "").split(/\s+/);
}

function isQuote(el: Element): boolean {
  if (el.name === "blockquote") return true;
  // Gmail's outer div.gmail_quote also wraps inline answers: only its blockquote is a quote.
  return classes(el).some(
    (c) => QUOTE_CLASSES.includes(c) && !(c === "gmail_quote" && el.name === "div"),
  );
}

function textOf(nodes: ChildNode[]): string {
  let text = "";
  for (const node of nodes) {
    if (node.type === "text") text += node.data;
    else if ("children" in node && text.length < 200) text += ` ${textOf(node.children)}`;
    if (text.length >= 200) break;
  }
  return text.replace(/\s+/g, " ").trim();
}

function hidden(el: Element): boolean {
  return /display\s*:\s*none/i.test(el.attribs.style ?? "");
}

function walk(nodes: ChildNode[], out: TextOut, forward: boolean): void {
  for (const node of nodes) {
    if (node.type === "text") {
      out.text(node.data);
      continue;
    }
    if (node.type !== "tag" && node.type !== "script" && node.type !== "style") continue;
    const el = node as Element;
    if (SKIPPED.has(el.name) || hidden(el)) continue;
    if (HISTORY_IDS.test(el.attribs.id ?? "") && !forward) out.historyFromHere();
    const block = BLOCK.has(el.name);
    if (block) out.lineBreak();
    const quote = isQuote(el) && !out.forwarded && !FORWARD_MARKER.test(textOf(el.children));
    if (quote) out.depth++;
    if (el.name === "pre") out.pre++;
    walk(el.children, out, forward);
    if (block) out.lineBreak();
    if (el.name === "pre") out.pre--;
    if (quote) out.depth--;
    if (el.name === "p") out.blankLine();
  }
}

/** Lines of text with their quote depth; blank lines collapse, spaces inside lines collapse. */
class TextOut {
  depth = 0;
  pre = 0;
  /** A forward marker was written: what follows is the forwarded mail, kept as it is. */
  forwarded = false;
  private history = false;
  private lines: string[] = [];
  private line = "";

  text(data: string): void {
    const text = this.pre > 0 ? data : data.replace(/[\s\u00a0]+/g, " ");
    if (this.pre > 0 && text.includes("\n")) {
      const [first, ...rest] = text.split("\n");
      this.line += first;
      for (const next of rest) {
        this.lineBreak(true);
        this.line = next;
      }
    } else this.line += text;
  }

  historyFromHere(): void {
    this.lineBreak();
    this.history = true;
  }

  lastLine(): string {
    return (
      this.line.trim() || (this.lines.findLast((l) => l.trim() !== "") ?? "").replace(/^[> ]+/, "")
    );
  }

  lineBreak(force = false): void {
    const text = this.line.replace(/[ \t\u00a0]+/g, " ").trim();
    this.line = "";
    if (text === "" && !force) return;
    const depth = this.depth + (this.history ? 1 : 0);
    if (depth === 0 && FORWARD_MARKER.test(text)) this.forwarded = true;
    this.lines.push(depth > 0 ? `${"> ".repeat(depth)}${text}` : text);
  }

  blankLine(): void {
    this.lineBreak();
    if (this.lines.at(-1) !== "") this.lines.push("");
  }

  finish(): string {
    this.lineBreak();
    return this.lines
      .join("\n")
      .replace(/\n{3,}/g, "\n\n")
      .trim();
  }
}
