/**
 * The building blocks every schema of ours is made of, each with its "must be" message (the path
 * is added by `check.ts`), so one kind of field reads the same everywhere.
 */
import * as v from "valibot";

/**
 * Text of `min` to `max` characters (UTF-16 code units, as the SDK and the browser count).
 *
 * @example
 * const body = v.object({ text: text(1, 4000) });
 */
export function text(min: number, max: number) {
  const message = min === max ? `must be ${min} characters` : `must be ${min}–${max} characters`;
  return v.pipe(v.string("must be a string"), v.minLength(min, message), v.maxLength(max, message));
}

/** Text that is not only spaces, of at most `max` characters. */
export function words(max: number) {
  return v.pipe(
    text(1, max),
    v.check((value) => value.trim() !== "", "must not be empty"),
  );
}

/** One of a fixed set of strings. */
export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return v.picklist(values, `must be one of ${values.join(", ")}`);
}

/** A whole number from `min` to `max`. */
export function whole(min: number, max: number) {
  const message = `must be a whole number from ${min} to ${max}`;
  return v.pipe(
    v.number(message),
    v.integer(message),
    v.minValue(min, message),
    v.maxValue(max, message),
  );
}

export const flag = v.boolean("must be true or false");

/**
 * The server's one rule for an email address: `local@domain.tld`, no display name, no spaces,
 * at most 254 characters (RFC 5321's path limit), a local part of at most 64.
 */
export const EMAIL =
  /^[^\s@<>"(),;:\\[\]]{1,64}@(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;
export const email = v.pipe(
  v.string("must be a string"),
  v.trim(),
  v.regex(EMAIL, "must be an email address like ana@example.com"),
  v.toLowerCase(),
);

/** The keys an object schema knows, nearest first to a mistyped one. */
export function nearest(key: string, known: readonly string[]): string | undefined {
  let best: { key: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (!best || distance < best.distance) best = { key: candidate, distance };
  }
  // Within a third of the key's length: a typo, not a different word.
  return best && best.distance <= Math.max(1, Math.floor(key.length / 3)) ? best.key : undefined;
}

function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      const swap = a[i - 1] === b[j - 1] ? 0 : 1;
      next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + swap);
    }
    row = next;
  }
  return row[b.length]!;
}

/**
 * An object that refuses keys it does not know, naming the nearest known one
 * (`"origin": unknown key, did you mean "origins"?`): for files people write by hand.
 *
 * @example
 * const site = strict({ id: text(1, 64), origins: v.array(v.string()) });
 */
export function strict<const E extends v.ObjectEntries>(entries: E) {
  const known = Object.keys(entries);
  return v.strictObject(entries, (issue) => {
    if (issue.expected !== "never") return "must be an object";
    const guess = nearest(String(issue.input), known);
    return guess ? `: unknown key, did you mean "${guess}"?` : ": unknown key";
  });
}

/** An object that lets unknown keys through (wire shapes: "more fields welcome"). */
export function loose<const E extends v.ObjectEntries>(entries: E) {
  return v.object(entries, "must be an object");
}
