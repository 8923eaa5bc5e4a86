import { describe, expect, it } from "vitest";
import { encodingOf, GSM7_BASIC, GSM7_EXTENSION, segmentsOf, splitForSms } from "./segments.ts";

/** A lone surrogate: half an emoji, which a phone shows as a broken character. */
const HALF_PAIR = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

describe("the GSM-7 tables", () => {
  it("are the 128 characters of the default alphabet in order, escape at 27, and the extension", () => {
    const basic = Array.from(GSM7_BASIC);
    expect(basic).toHaveLength(128);
    expect(basic.indexOf("\x1b")).toBe(27);
    expect([basic[0], basic[9], basic[0x40], basic[0x60], basic[0x7f]]).toEqual([
      "@",
      "Ç",
      "¡",
      "¿",
      "à",
    ]);
    for (const char of basic.filter((c) => c !== "\x1b")) {
      expect(segmentsOf(char), JSON.stringify(char)).toMatchObject({ encoding: "GSM-7", units: 1 });
    }
    for (const char of GSM7_EXTENSION) {
      expect(segmentsOf(char), JSON.stringify(char)).toMatchObject({ encoding: "GSM-7", units: 2 });
    }
    // The escape on its own is not something a user can send.
    expect(encodingOf("\x1b")).toBe("UCS-2");
  });
});

describe("segmentsOf", () => {
  it("fits 160 plain characters in one segment, and 161 in two of 153", () => {
    expect(segmentsOf("a".repeat(160))).toEqual({
      encoding: "GSM-7",
      units: 160,
      segments: 1,
      perSegment: 160,
    });
    expect(segmentsOf("a".repeat(161))).toEqual({
      encoding: "GSM-7",
      units: 161,
      segments: 2,
      perSegment: 153,
    });
    expect(segmentsOf("a".repeat(306)).segments).toBe(2);
    expect(segmentsOf("a".repeat(307)).segments).toBe(3);
  });

  it("counts € and { as two septets: 80 euro signs are one segment, 81 are two", () => {
    expect(segmentsOf("€{").units).toBe(4);
    expect(segmentsOf("€".repeat(80))).toMatchObject({ units: 160, segments: 1 });
    expect(segmentsOf("€".repeat(81))).toMatchObject({ units: 162, segments: 2 });
    expect(segmentsOf("{".repeat(81)).segments).toBe(2);
  });

  it("never puts the two septets of € in different segments", () => {
    // 306 septets would be two full segments, but the € cannot start at septet 153.
    const text = `${"a".repeat(152)}€${"a".repeat(152)}`;
    expect(segmentsOf(text)).toMatchObject({ encoding: "GSM-7", units: 306, segments: 3 });
    expect(segmentsOf(`${"a".repeat(151)}€${"a".repeat(153)}`).segments).toBe(2);
  });

  it("turns the whole text UCS-2 for one ł, ć or Cyrillic letter: 70 to a message, 67 once split", () => {
    for (const letter of ["ł", "ć", "ж"]) {
      const text = `${"a".repeat(69)}${letter}`;
      expect(segmentsOf(text)).toEqual({
        encoding: "UCS-2",
        units: 70,
        segments: 1,
        perSegment: 70,
      });
      expect(segmentsOf(`a${text}`)).toEqual({
        encoding: "UCS-2",
        units: 71,
        segments: 2,
        perSegment: 67,
      });
    }
    expect(segmentsOf("ж".repeat(134)).segments).toBe(2);
    expect(segmentsOf("ж".repeat(135)).segments).toBe(3);
  });

  it("counts an emoji as two units and never splits one over two segments", () => {
    expect(segmentsOf("😀")).toMatchObject({ encoding: "UCS-2", units: 2, segments: 1 });
    expect(segmentsOf("😀".repeat(35))).toMatchObject({ units: 70, segments: 1 });
    expect(segmentsOf("😀".repeat(36))).toMatchObject({ units: 72, segments: 2 });
    // 134 units would be two full segments, but the emoji cannot start at unit 67.
    expect(segmentsOf(`${"a".repeat(66)}😀${"a".repeat(66)}`).segments).toBe(3);
  });

  it("keeps Dutch, German, Spanish and French accents GSM-7, but not Polish or Croatian ones", () => {
    for (const text of [
      "Verder via sms",
      "Weiter per SMS: schöne Grüße aus Köln, Äpfel, Öl, Übermorgen",
      "¿Seguimos por SMS? Mañana, Ñoño",
      "Très bien, à demain. Ça va? Oui, déjà là, où? é ì ò",
    ]) {
      expect(encodingOf(text), text).toBe("GSM-7");
    }
    // Only the capital Ç is in the alphabet; ú, ê and í are not either.
    for (const text of ["ça va", "Ñandú", "Vous êtes", "Sí"]) {
      expect(encodingOf(text), text).toBe("UCS-2");
    }
    for (const letter of ["ą", "ę", "ś", "ź", "ż", "č", "ć", "š", "ž", "đ"]) {
      expect(encodingOf(`Hvala ${letter}`), letter).toBe("UCS-2");
    }
    expect(encodingOf("Dziękujemy za wiadomość")).toBe("UCS-2");
    expect(encodingOf("Hvala na poruci, čekamo vaš odgovor")).toBe("UCS-2");
  });

  it("calls the empty text no segment at all", () => {
    expect(segmentsOf("")).toEqual({ encoding: "GSM-7", units: 0, segments: 0, perSegment: 160 });
  });
});

describe("splitForSms", () => {
  const words = (count: number, word: (i: number) => string) =>
    Array.from({ length: count }, (_, i) => word(i)).join(" ");

  it("leaves a short text whole and sends nothing for an empty one", () => {
    expect(splitForSms("Verder via sms", 1)).toEqual(["Verder via sms"]);
    expect(splitForSms("", 10)).toEqual([]);
  });

  it("keeps each message within the segments and Twilio's 1600 characters, cut at spaces", () => {
    for (const text of [
      words(900, (i) => `word${i}`),
      words(600, (i) => `€${i}{x}`),
      words(400, (i) => `wiadomość${i}`),
    ]) {
      for (const max of [1, 3, 10]) {
        const parts = splitForSms(text, max);
        expect(parts.length).toBeGreaterThan(1);
        for (const part of parts) {
          expect(segmentsOf(part).segments).toBeLessThanOrEqual(max);
          expect(part.length).toBeLessThanOrEqual(1600);
          expect(part).toBe(part.trim());
        }
        expect(parts.join(" ")).toBe(text);
      }
    }
  });

  it("fills segments to the limit where there is no space, and never cuts an emoji in half", () => {
    expect(splitForSms("a".repeat(400), 1).map((p) => p.length)).toEqual([160, 160, 80]);
    const euros = "€".repeat(200);
    const euroParts = splitForSms(euros, 2);
    expect(euroParts.map((p) => p.length)).toEqual([76 * 2, 200 - 76 * 2]);
    expect(euroParts.join("")).toBe(euros);
    const emoji = "😀".repeat(200);
    const parts = splitForSms(emoji, 1);
    expect(parts.join("")).toBe(emoji);
    for (const part of parts) {
      expect(HALF_PAIR.test(part)).toBe(false);
      expect(segmentsOf(part).segments).toBe(1);
    }
    const odd = `a${"😀".repeat(200)}`;
    const oddParts = splitForSms(odd, 2);
    expect(oddParts.join("")).toBe(odd);
    for (const part of oddParts) expect(HALF_PAIR.test(part)).toBe(false);
  });

  it("counts each message on its own, so only the one with the Cyrillic word is UCS-2", () => {
    const text = `${words(100, (i) => `word${i}`)} спасибо`;
    const parts = splitForSms(text, 2);
    expect(parts.map(encodingOf)).toEqual(["GSM-7", "GSM-7", "UCS-2"]);
    expect(parts.join(" ")).toBe(text);
  });

  it("refuses a limit of no segments", () => {
    expect(() => splitForSms("hi", 0)).toThrow(RangeError);
    expect(() => splitForSms("hi", 1.5)).toThrow(RangeError);
  });
});
