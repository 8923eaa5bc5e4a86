import { describe, expect, it } from "vitest";
import { AppError } from "../errors.ts";
import { defaultCountry, normalizePhone } from "./phone.ts";

/** The 400 message a visitor would read for a number. */
function refusal(input: string, country: Parameters<typeof normalizePhone>[1]): string {
  try {
    normalizePhone(input, country);
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).status).toBe(400);
    return (error as AppError).message;
  }
  throw new Error(`${input} was accepted`);
}

describe("phone numbers to E.164", () => {
  it.each([
    ["06 12345678", "NL", "+31612345678", "NL"],
    ["020-123 4567", "NL", "+31201234567", "NL"],
    ["+31 6 1234 5678", "PL", "+31612345678", "NL"],
    ["8 (912) 345-67-89", "RU", "+79123456789", "RU"],
    ["+7 495 123-45-67", "NL", "+74951234567", "RU"],
    ["091 234 5678", "HR", "+385912345678", "HR"],
    ["01 4567 890", "HR", "+38514567890", "HR"],
    ["512 345 678", "PL", "+48512345678", "PL"],
    ["+48 22 123 45 67", "HR", "+48221234567", "PL"],
  ] as const)("%s (default %s) is %s", (input, country, e164, of) => {
    expect(normalizePhone(input, country)).toEqual({ e164, country: of });
  });

  it("names what is wrong with a bad number", () => {
    expect(refusal("0612", "NL")).toBe('"phone" is too short for NL');
    expect(refusal("91 234", "HR")).toBe('"phone" is too short for HR');
    expect(refusal("0612345678901234", "NL")).toBe('"phone" is too long for NL');
    expect(refusal("+7 912 345 67 89 12", "NL")).toBe(
      '"phone" has the wrong number of digits for RU',
    );
    // A length some Dutch numbers have, but no mobile number does.
    expect(refusal("06 1234", "NL")).toBe('"phone" is not a valid number for NL');
    expect(refusal("call me", "NL")).toBe('"phone" is not a phone number');
    // Right length, but no such numbers are given out in Croatia.
    expect(refusal("+385 00 123 4567", "NL")).toBe('"phone" is not a valid number for HR');
    expect(refusal("0612 345", "PL")).toBe('"phone" is not a valid number for PL');
  });
});

describe("the phone field's default country", () => {
  it("takes the site's setting, then the locale's region, then its language", () => {
    expect(defaultCountry("HR", "nl-NL")).toBe("HR");
    expect(defaultCountry(undefined, "nl-BE")).toBe("BE");
    expect(defaultCountry(undefined, "ru")).toBe("RU");
    expect(defaultCountry(undefined, "pl_PL")).toBe("PL");
    expect(defaultCountry(undefined, "xx")).toBe("GB");
    expect(defaultCountry("ZZ", undefined, "NL")).toBe("NL");
  });
});
