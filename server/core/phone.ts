import {
  type CountryCode,
  getCountries,
  parsePhoneNumberWithError,
  validatePhoneNumberLength,
} from "libphonenumber-js/max";
import { AppError } from "../errors.ts";

/** The country a language is most often spoken in, for a phone field's default. */
const COUNTRY_OF_LANGUAGE: Record<string, CountryCode> = {
  en: "GB",
  nl: "NL",
  ru: "RU",
  hr: "HR",
  pl: "PL",
  de: "DE",
  fr: "FR",
  es: "ES",
};

const COUNTRIES = new Set<string>(getCountries());

/** Whether a string is a country code libphonenumber knows (ISO 3166-1 alpha-2, uppercase). */
export function isCountry(value: string): value is CountryCode {
  return COUNTRIES.has(value);
}

/**
 * The default country of a phone field: the site's setting, else the region of the visitor's
 * locale (`nl-BE` → BE), else its language's usual country (`nl` → NL), else `fallback`.
 *
 * @example
 * defaultCountry(undefined, "hr-HR"); // "HR"
 */
export function defaultCountry(
  configured: string | undefined,
  locale: string | undefined,
  fallback: CountryCode = "GB",
): CountryCode {
  if (configured && isCountry(configured)) return configured;
  const [language = "", region = ""] = (locale ?? "").split(/[-_]/);
  const fromRegion = region.toUpperCase();
  if (isCountry(fromRegion)) return fromRegion;
  return COUNTRY_OF_LANGUAGE[language.toLowerCase()] ?? fallback;
}

const LENGTH_PROBLEMS: Record<string, string> = {
  TOO_SHORT: "is too short",
  TOO_LONG: "is too long",
  INVALID_LENGTH: "has the wrong number of digits",
  NOT_A_NUMBER: "is not a phone number",
  INVALID_COUNTRY: "needs a country code (like +31) or a known country",
};

/**
 * Normalises a phone number to E.164 with full metadata (lengths and patterns per country), or
 * throws a 400 that names the problem: too short, too long, invalid for the country.
 *
 * @example
 * normalizePhone("06 12345678", "NL"); // { e164: "+31612345678", country: "NL" }
 */
export function normalizePhone(
  input: string,
  country: CountryCode,
): { e164: string; country: CountryCode | undefined } {
  const text = input.trim();
  // Where the number names its own country (+385…), that country is the one to judge it by.
  const judgedBy = () => {
    try {
      return parsePhoneNumberWithError(text, country).country ?? country;
    } catch {
      return country;
    }
  };
  const lengthProblem = validatePhoneNumberLength(text, country);
  if (lengthProblem) {
    const problem = LENGTH_PROBLEMS[lengthProblem] ?? "is not valid";
    // Only a length is judged by a country; "not a number" is not a matter of where.
    const where = lengthProblem.includes("LENGTH") || lengthProblem.startsWith("TOO_");
    throw new AppError("bad_request", `"phone" ${problem}${where ? ` for ${judgedBy()}` : ""}`);
  }
  let parsed: ReturnType<typeof parsePhoneNumberWithError>;
  try {
    parsed = parsePhoneNumberWithError(text, country);
  } catch (error) {
    const reason = LENGTH_PROBLEMS[(error as Error).message] ?? "is not a phone number";
    throw new AppError("bad_request", `"phone" ${reason}`);
  }
  if (!parsed.isValid()) {
    throw new AppError("bad_request", `"phone" is not a valid number for ${judgedBy()}`);
  }
  return { e164: parsed.number, country: parsed.country };
}

/**
 * Whether a valid number is a landline, which cannot take a text message (mobile, VoIP and the
 * numbers whose kind the plan leaves open, like many in the US, can).
 *
 * @example
 * isLandline("+31201234567"); // true
 */
export function isLandline(e164: string): boolean {
  try {
    return parsePhoneNumberWithError(e164).getType() === "FIXED_LINE";
  } catch {
    return false;
  }
}
