/**
 * What an SMS costs: carriers bill per segment, and a segment's size depends on the encoding
 * (3GPP TS 23.038 alphabets, TS 23.040 concatenation). A text that fits the GSM-7 alphabet goes
 * in 7-bit septets, 160 to a lone message; one character outside it turns the whole text into
 * UCS-2 (UTF-16 on real phones), 70 units to a lone message. A longer text is sent as
 * concatenated segments, each giving up room to a header: 153 septets or 67 units. National
 * language shift tables (Turkish, Portuguese, ...) are not assumed: few carriers honour them.
 * No dependencies, so it runs on edge runtimes too.
 */

/**
 * The GSM-7 default alphabet in table order (TS 23.038 §6.2.1): index = septet value. Index 27
 * is the escape to the extension table, not a character anyone can send. Index 9 is capital Ç;
 * small ç is not in the alphabet.
 *
 * @example
 * GSM7_BASIC.indexOf("@"); // 0
 */
export const GSM7_BASIC =
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
  "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";

/**
 * The characters of the extension table (TS 23.038 §6.2.1.1): each is sent as escape plus
 * septet, so it costs 2 septets and the two are never put in different segments.
 *
 * @example
 * GSM7_EXTENSION.includes("€"); // true
 */
export const GSM7_EXTENSION = "\f^{}\\[~]|€";

const ESCAPE = "\x1b";

/** Septets each sendable GSM-7 character costs; a character not here makes a text UCS-2. */
const SEPTETS = new Map<string, number>([
  ...Array.from(GSM7_BASIC, (char) => [char, 1] as const).filter(([char]) => char !== ESCAPE),
  ...Array.from(GSM7_EXTENSION, (char) => [char, 2] as const),
]);

/** How an SMS's text is put on the air: 7-bit GSM alphabet, or 16-bit units. */
export type SmsEncoding = "GSM-7" | "UCS-2";

/** Units a message of one segment may hold. */
const SINGLE: Record<SmsEncoding, number> = { "GSM-7": 160, "UCS-2": 70 };
/** Units each segment of a concatenated message may hold; the rest carries the header. */
const CONCATENATED: Record<SmsEncoding, number> = { "GSM-7": 153, "UCS-2": 67 };

/**
 * Counts units and segments as characters are added. A character never straddles two segments
 * (an escaped septet pair, a surrogate pair): phones would show it broken, so it starts the
 * next segment and the room left in the last one goes unused.
 */
function tally(encoding: SmsEncoding) {
  let units = 0;
  let filled = 1;
  let used = 0;
  return {
    add(cost: number) {
      units += cost;
      if (used + cost > CONCATENATED[encoding]) {
        filled += 1;
        used = cost;
      } else {
        used += cost;
      }
    },
    get units() {
      return units;
    },
    get segments() {
      if (units === 0) return 0;
      return units <= SINGLE[encoding] ? 1 : filled;
    },
  };
}

/**
 * GSM-7 when every character is in the basic or extension table, else UCS-2: one Polish `ł`
 * or an emoji cuts a segment from 160 characters to 70.
 *
 * @example
 * encodingOf("Weiter per SMS, schöne Grüße"); // "GSM-7"
 * encodingOf("Dziękujemy"); // "UCS-2"
 */
export function encodingOf(text: string): SmsEncoding {
  for (const char of text) if (!SEPTETS.has(char)) return "UCS-2";
  return "GSM-7";
}

/**
 * How many segments a text is billed as. `units` are septets for GSM-7 (an extension character
 * such as `€` counts 2) or UTF-16 units for UCS-2 (an emoji counts 2); `perSegment` is the limit
 * that applies, 160/70 for one segment and 153/67 once concatenated. The empty text is 0
 * segments: there is nothing to send (a carrier would bill a sent empty message as 1).
 *
 * @example
 * segmentsOf("a".repeat(161)); // { encoding: "GSM-7", units: 161, segments: 2, perSegment: 153 }
 */
export function segmentsOf(text: string): {
  encoding: SmsEncoding;
  units: number;
  segments: number;
  perSegment: number;
} {
  const encoding = encodingOf(text);
  const count = tally(encoding);
  for (const char of text) count.add(encoding === "GSM-7" ? SEPTETS.get(char)! : char.length);
  const { units, segments } = count;
  return {
    encoding,
    units,
    segments,
    perSegment: segments > 1 ? CONCATENATED[encoding] : SINGLE[encoding],
  };
}

/** The UTF-16 length of the longest start of `text` that is at most `max` segments. */
function fittingLength(text: string, max: number): number {
  const gsm = tally("GSM-7");
  const ucs = tally("UCS-2");
  let isGsm = true;
  let length = 0;
  for (const char of text) {
    const septets = SEPTETS.get(char);
    if (septets === undefined) isGsm = false;
    else gsm.add(septets);
    ucs.add(char.length);
    if ((isGsm ? gsm : ucs).segments > max) break;
    length += char.length;
  }
  return length;
}

/**
 * Cuts a text into messages of at most `maxSegmentsPerMessage` segments each (Twilio takes a body
 * of 1600 characters, so pass 10 there), at a paragraph break, else a line break, else a space,
 * else between characters (never inside a surrogate pair). Each part is counted on its own: a
 * part without the one UCS-2 character keeps GSM-7's larger segments. The whitespace at a cut is
 * dropped, so parts cut at single spaces join back with `" "`; an empty text is no message.
 *
 * @example
 * splitForSms("a".repeat(400), 1).map((p) => p.length); // [160, 160, 80]
 */
export function splitForSms(text: string, maxSegmentsPerMessage: number): string[] {
  if (!Number.isInteger(maxSegmentsPerMessage) || maxSegmentsPerMessage < 1) {
    throw new RangeError(
      `maxSegmentsPerMessage must be a whole number ≥ 1, not ${maxSegmentsPerMessage}`,
    );
  }
  const parts: string[] = [];
  let rest = text;
  while (rest) {
    const fits = fittingLength(rest, maxSegmentsPerMessage);
    if (fits === rest.length) {
      parts.push(rest);
      break;
    }
    // The character just past what fits may be the whitespace to cut at.
    const window = rest.slice(0, fits + 1);
    let cut = fits;
    let next = fits;
    for (const breaker of ["\n\n", "\n", " "]) {
      const at = window.lastIndexOf(breaker);
      if (at >= fits / 2) {
        cut = at;
        next = at;
        while (/\s/.test(rest[next] ?? "")) next++;
        break;
      }
    }
    const part = next > cut ? rest.slice(0, cut).trimEnd() : rest.slice(0, cut);
    if (part) parts.push(part);
    rest = rest.slice(next);
  }
  return parts;
}
