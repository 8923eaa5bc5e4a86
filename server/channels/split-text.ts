/** Messaging apps cap a message's length; a longer reply goes as several, in order. */

/**
 * Cuts text into parts of at most `max` UTF-16 units, at a paragraph break, else a line break,
 * else a space, else anywhere but inside a surrogate pair.
 *
 * @example
 * splitText("a".repeat(4500), 2000).map((p) => p.length); // [2000, 2000, 500]
 */
export function splitText(text: string, max: number): string[] {
  const parts: string[] = [];
  let rest = text;
  while (rest.length > max) {
    const window = rest.slice(0, max + 1);
    let cut = -1;
    for (const breaker of ["\n\n", "\n", " "]) {
      const at = window.lastIndexOf(breaker);
      if (at >= max / 2) {
        cut = at;
        break;
      }
    }
    let next: number;
    if (cut === -1) {
      cut = max;
      const code = rest.charCodeAt(cut - 1);
      if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
      next = cut;
    } else {
      next = cut;
      while (/\s/.test(rest[next] ?? "")) next++;
    }
    const part = rest.slice(0, cut).trimEnd();
    if (part) parts.push(part);
    rest = rest.slice(next);
  }
  if (rest.trim()) parts.push(rest);
  return parts;
}
