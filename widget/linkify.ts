/**
 * Splits message text into plain text and http(s) links. The widget renders text parts as text
 * nodes and link parts as anchors, so nothing in a message is ever parsed as HTML, and only
 * http: and https: URLs become clickable (never `javascript:`, `data:` …).
 */
export type Part = string | { href: string; text: string };

const URL_PATTERN = /\bhttps?:\/\/[^\s<>"']+/gi;
/** Punctuation that ends a sentence rather than the URL: "see https://x.test/a." */
const TRAILING = /[.,;:!?'")\]}>]+$/;

function trimTrailing(candidate: string): string {
  let url = candidate.replace(TRAILING, "");
  // Keep a closing parenthesis the URL itself opened: https://en.wikipedia.org/wiki/X_(y)
  const extra = candidate.slice(url.length);
  if (extra.startsWith(")") && url.split("(").length > url.split(")").length) url += ")";
  return url;
}

/** The absolute http(s) URL a link should point to, or null when it is not a safe web link. */
export function safeHref(text: string): string | null {
  try {
    const url = new URL(text);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch {
    return null;
  }
}

/**
 * @example
 * linkify("see https://example.com/a.") // ["see ", { href: "https://example.com/a", text: "https://example.com/a" }, "."]
 */
export function linkify(text: string): Part[] {
  const parts: Part[] = [];
  let last = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    const start = match.index;
    const raw = trimTrailing(match[0]);
    const href = safeHref(raw);
    if (!href) continue;
    if (start > last) parts.push(text.slice(last, start));
    parts.push({ href, text: raw });
    last = start + raw.length;
  }
  if (last < text.length) parts.push(text.slice(last));
  return parts;
}
