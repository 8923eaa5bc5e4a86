import { describe, expect, it } from "vitest";
import { segmentsOf } from "./segments.ts";
import { fill, SMS_LOCALES, smsWordsFor } from "./texts.ts";

const NAME = "Demo shop";
const LINK = "https://chat.example.com/r/k7qm2xpd";

describe("the texts the site's number sends", () => {
  it("speak the eight languages of the widget, English for others", () => {
    expect(SMS_LOCALES.sort()).toEqual(["de", "en", "es", "fr", "hr", "nl", "pl", "ru"]);
    expect(smsWordsFor("nl-BE")).toBe(smsWordsFor("nl"));
    expect(smsWordsFor("pt")).toBe(smsWordsFor("en"));
  });

  it("fit the handoff in one segment in every language: GSM-7 where it has the letters, else UCS-2", () => {
    for (const locale of SMS_LOCALES) {
      const text = fill(smsWordsFor(locale).handoff, { name: NAME, link: LINK });
      expect(text, locale).toContain(LINK);
      expect(text, locale).toContain(NAME);
      const count = segmentsOf(text);
      expect(count.segments, `${locale}: ${text}`).toBe(1);
      expect(count.encoding, locale).toBe(locale === "ru" ? "UCS-2" : "GSM-7");
    }
  });

  it("answer HELP in GSM-7 wherever the language allows, naming STOP", () => {
    for (const locale of SMS_LOCALES) {
      const text = fill(smsWordsFor(locale).help, { name: NAME, url: "https://shop.example.com/" });
      expect(text, locale).toContain("STOP");
      if (locale !== "ru") expect(segmentsOf(text).encoding, `${locale}: ${text}`).toBe("GSM-7");
    }
  });
});
