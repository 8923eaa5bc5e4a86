import type { AttributeValue, ConversationContext, PageVisit } from "../../sdk/protocol.ts";
import { LIMITS } from "../../sdk/protocol.ts";
import { AppError } from "../errors.ts";
import { readJson } from "./body.ts";

export { readJson };

type Json = Record<string, unknown>;

const bad = (message: string): never => {
  throw new AppError("bad_request", message);
};

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

interface TextRule {
  max: number;
  optional?: boolean;
  pattern?: RegExp;
  /** Trimmed text must not be empty. */
  nonEmpty?: boolean;
}

/** A string field with a length cap (in characters) and an optional pattern. */
export function text(
  body: Json,
  key: string,
  rule: TextRule & { optional: true },
): string | undefined;
export function text(body: Json, key: string, rule: TextRule): string;
export function text(body: Json, key: string, rule: TextRule): string | undefined {
  const value = body[key];
  if (value === undefined || value === null) {
    if (rule.optional) return undefined;
    bad(`"${key}" is required`);
  }
  if (typeof value !== "string") return bad(`"${key}" must be a string`);
  if (value.length > rule.max) return bad(`"${key}" is longer than ${rule.max} characters`);
  if (rule.nonEmpty && value.trim() === "") return bad(`"${key}" must not be empty`);
  if (rule.pattern && !rule.pattern.test(value)) return bad(`"${key}" has an invalid format`);
  return value;
}

/** One of a fixed set of strings. */
export function oneOf<T extends string>(body: Json, key: string, values: readonly T[]): T;
export function oneOf<T extends string>(
  body: Json,
  key: string,
  values: readonly T[],
  optional: true,
): T | undefined;
export function oneOf<T extends string>(
  body: Json,
  key: string,
  values: readonly T[],
  optional = false,
): T | undefined {
  const value = body[key];
  if (value === undefined && optional) return undefined;
  if (typeof value !== "string" || !values.includes(value as T)) {
    return bad(`"${key}" must be one of ${values.join(", ")}`);
  }
  return value as T;
}

/** A non-negative integer from a query string; absent means `fallback`. */
export function seqParam(value: string | undefined, name = "after"): number {
  if (value === undefined || value === "") return 0;
  if (!/^\d{1,15}$/.test(value)) bad(`"${name}" must be a non-negative integer`);
  return Number(value);
}

export const CLIENT_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** A message's text: non-empty, within the limit; kept as typed (rendering escapes it). */
export function messageText(body: Json): string {
  return text(body, "text", { max: LIMITS.messageChars, nonEmpty: true });
}

function url(value: unknown, where: string): string {
  if (typeof value !== "string" || value.length > 2048)
    return bad(`"${where}" must be a URL of at most 2048 characters`);
  try {
    const parsed = new URL(value);
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new Error();
  } catch {
    return bad(`"${where}" must be an http(s) URL`);
  }
  return value;
}

const MAX_ATTRIBUTES = 50;

/** Attributes a site or visitor sets: flat, small, typed. */
export function attributes(value: unknown, where = "attributes"): Record<string, AttributeValue> {
  if (!isObject(value)) return bad(`"${where}" must be an object`);
  const entries = Object.entries(value);
  if (entries.length > MAX_ATTRIBUTES) bad(`"${where}" has more than ${MAX_ATTRIBUTES} keys`);
  for (const [key, v] of entries) {
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(key))
      bad(`"${where}" key "${key.slice(0, 64)}" is not a valid name`);
    const ok =
      v === null ||
      typeof v === "boolean" ||
      (typeof v === "number" && Number.isFinite(v)) ||
      (typeof v === "string" && v.length <= 500);
    if (!ok)
      bad(`"${where}.${key}" must be a string (≤ 500 characters), a number, a boolean or null`);
  }
  return value as Record<string, AttributeValue>;
}

/** What a browser may report about the visitor; the server stamps times it cannot trust. */
export function visitorContext(value: unknown, nowIso: string): ConversationContext {
  if (value === undefined) return {};
  if (!isObject(value)) return bad('"context" must be an object');
  const context: ConversationContext = {};
  if (value.url !== undefined) context.url = url(value.url, "context.url");
  if (value.referrer !== undefined && value.referrer !== "")
    context.referrer = url(value.referrer, "context.referrer");
  if (value.locale !== undefined) {
    context.locale = text(value, "locale", {
      max: 35,
      pattern: /^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/,
    });
  }
  if (value.pages !== undefined) {
    if (!Array.isArray(value.pages) || value.pages.length > 50)
      bad('"context.pages" must be an array of at most 50 pages');
    context.pages = (value.pages as unknown[]).map((page, i): PageVisit => {
      if (!isObject(page)) return bad(`"context.pages[${i}]" must be an object`);
      const visit: PageVisit = { url: url(page.url, `context.pages[${i}].url`), at: nowIso };
      const title = text(page, "title", { max: 300, optional: true });
      if (title !== undefined) visit.title = title;
      return visit;
    });
  }
  if (value.attributes !== undefined)
    context.attributes = attributes(value.attributes, "context.attributes");
  return context;
}
