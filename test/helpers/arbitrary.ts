/**
 * fast-check arbitraries from JSON Schema (the subset our OpenAPI document uses: objects,
 * strings with lengths, patterns and formats, numbers with bounds, booleans, arrays, enums,
 * unions): values the schema accepts, and values it refuses, for property-based tests that
 * drive each route from its own schema.
 */
import fc from "fast-check";

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  enum?: unknown[];
  examples?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  if?: JsonSchema;
  then?: JsonSchema;
  oneOf?: JsonSchema[];
}

/**
 * Strings matching `pattern`. fast-check cannot build from a lookahead (`(?=.{1,253}$)`): it is
 * dropped to generate, and the whole pattern filters what comes out.
 */
function matching(pattern: string): fc.Arbitrary<string> {
  const rule = new RegExp(pattern);
  const buildable = pattern.replace(/\(\?=[^)]*\)/g, "");
  return fc.stringMatching(new RegExp(buildable)).filter((value) => rule.test(value));
}

function stringOf(schema: JsonSchema): fc.Arbitrary<string> {
  const minLength = schema.minLength ?? 0;
  const maxLength = Math.min(schema.maxLength ?? 40, minLength + 40);
  if (schema.format === "date-time") {
    const [min, max] = [new Date("2000-01-01"), new Date("2100-01-01")];
    return fc.date({ min, max, noInvalidDate: true }).map((date) => date.toISOString());
  }
  if (schema.format === "email") return fc.constantFrom("ana@example.com", "bo.de@shop.example");
  if (schema.format === "uri") return fc.webUrl({ validSchemes: ["https"] });
  const text = schema.pattern
    ? matching(schema.pattern)
    : fc.string({ minLength, maxLength, unit: "grapheme-ascii" });
  // Text of only spaces is often refused by a check JSON Schema cannot say: lead with a letter.
  return text
    .map((value) => (schema.pattern ? value : value.replace(/^\s/, "a")))
    .filter((value) => value.length >= minLength && value.length <= (schema.maxLength ?? 1e9));
}

const typeOf = (value: unknown) =>
  value === null ? "null" : Array.isArray(value) ? "array" : typeof value;

/** Whether `value` meets `rule`'s `required` keys and `const` properties (a JSON Schema `if`). */
function meets(rule: JsonSchema, value: Record<string, unknown>): boolean {
  const present = (rule.required ?? []).every((key) => value[key] !== undefined);
  const fixed = Object.entries(rule.properties ?? {}).every(
    ([key, property]) => property.const === undefined || value[key] === property.const,
  );
  return present && fixed;
}

/**
 * Objects of `schema`'s properties with its required keys, one of its `anyOf` key sets
 * ("at least one of"), and what its `if`/`then` requires.
 */
function objectOf(schema: JsonSchema): fc.Arbitrary<Record<string, unknown>> {
  const entries = Object.entries(schema.properties ?? {});
  const properties = Object.fromEntries(entries.map(([key, value]) => [key, valid(value)]));
  // `anyOf`: at least one of the key sets; `oneOf`: exactly one, the others' keys left out.
  const keySets = (schema.anyOf ?? schema.oneOf)?.map((branch) => branch.required ?? []) ?? [[]];
  const exclusive = schema.oneOf !== undefined;
  const thenKeys = schema.then?.required ?? [];
  return fc
    .constantFrom(...keySets)
    .chain((some) => {
      const required = new Set([...(schema.required ?? []), ...some]);
      const others = new Set(keySets.flat().filter((key) => !some.includes(key)));
      const allowed = exclusive
        ? Object.fromEntries(Object.entries(properties).filter(([key]) => !others.has(key)))
        : properties;
      return fc.record(allowed, {
        requiredKeys: Object.keys(allowed).filter((key) => required.has(key)),
      });
    })
    .map((value) => {
      if (!schema.if || !meets(schema.if, value)) return value;
      const typed = schema.then?.properties ?? {};
      const kept = thenKeys.every(
        (key) =>
          value[key] !== undefined && (!typed[key]?.type || typeOf(value[key]) === typed[key].type),
      );
      return kept ? value : null;
    })
    .filter((value): value is Record<string, unknown> => value !== null);
}

/**
 * Values `schema` accepts.
 *
 * @example
 * fc.assert(fc.asyncProperty(valid(schema), async (body) => { ... }));
 */
export function valid(schema: JsonSchema): fc.Arbitrary<unknown> {
  if (schema.const !== undefined) return fc.constant(schema.const);
  // A field whose rule JSON Schema cannot say (a real phone number) names examples that keep it.
  if (schema.examples?.length) return fc.constantFrom(...schema.examples);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const branches = schema.anyOf ?? schema.oneOf;
  // On an object, `anyOf`/`oneOf` say which keys it needs (see objectOf).
  if (branches && schema.type !== "object") return fc.oneof(...branches.map(valid));
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case "object":
      return objectOf(schema);
    case "string":
      return stringOf(schema);
    case "integer":
      return fc.integer({ min: schema.minimum ?? -1000, max: schema.maximum ?? 1000 });
    case "number":
      return fc.double({
        min: schema.minimum ?? -1000,
        max: schema.maximum ?? 1000,
        noNaN: true,
        noDefaultInfinity: true,
      });
    case "boolean":
      return fc.boolean();
    case "null":
      return fc.constant(null);
    case "array":
      return fc.array(valid(schema.items ?? {}), {
        minLength: schema.minItems ?? 0,
        maxLength: Math.min(schema.maxItems ?? 3, 3),
      });
    default:
      return fc.constant("anything");
  }
}

/** A value of another JSON type than `schema` allows (a string where a number goes …). */
function wrongType(schema: JsonSchema): fc.Arbitrary<unknown> {
  const types = new Set(Array.isArray(schema.type) ? schema.type : [schema.type]);
  const others: fc.Arbitrary<unknown>[] = [];
  if (!types.has("string")) others.push(fc.string({ maxLength: 5 }));
  if (!types.has("number") && !types.has("integer")) others.push(fc.integer());
  if (!types.has("boolean")) others.push(fc.boolean());
  if (!types.has("object")) others.push(fc.constant({ nested: true }));
  if (!types.has("array")) others.push(fc.constant([1, 2]));
  return fc.oneof(...others);
}

/** Strings a string schema refuses (out of its enum, off its pattern, over its length), or null. */
function badText(schema: JsonSchema): fc.Arbitrary<string> | null {
  const breaks: fc.Arbitrary<string>[] = [];
  if (schema.enum) {
    breaks.push(fc.string({ maxLength: 8 }).filter((s) => !schema.enum!.includes(s)));
  }
  if (schema.pattern) {
    const rule = new RegExp(schema.pattern);
    breaks.push(fc.string({ maxLength: 20 }).filter((s) => !rule.test(s)));
  }
  if (schema.maxLength !== undefined) breaks.push(fc.constant("x".repeat(schema.maxLength + 1)));
  return breaks.length > 0 ? fc.oneof(...breaks) : null;
}

/**
 * Query strings `schema` (an object of parameters) refuses: one required parameter missing, or
 * one parameter's text off its rules. Every value is text in a query, so a wrong type is not one.
 */
export function invalidQuery(schema: JsonSchema): fc.Arbitrary<Record<string, unknown>> | null {
  const base = valid(schema) as fc.Arbitrary<Record<string, unknown>>;
  const breaks: fc.Arbitrary<Record<string, unknown>>[] = [];
  const required = schema.required ?? [];
  if (required.length > 0) {
    breaks.push(
      fc.tuple(base, fc.constantFrom(...required)).map(([value, key]) => {
        const { [key]: _dropped, ...rest } = value;
        return rest;
      }),
    );
  }
  for (const [key, property] of Object.entries(schema.properties ?? {})) {
    const bad = badText(property);
    if (bad) breaks.push(fc.tuple(base, bad).map(([value, text]) => ({ ...value, [key]: text })));
  }
  return breaks.length > 0 ? fc.oneof(...breaks) : null;
}

/**
 * Objects `schema` refuses: a valid one with one required property missing, one property of the
 * wrong type, or one text over its length.
 */
export function invalid(schema: JsonSchema): fc.Arbitrary<Record<string, unknown>> | null {
  const properties = Object.entries(schema.properties ?? {}).filter(
    ([, property]) => property.type !== undefined && !property.anyOf && !property.oneOf,
  );
  const required = schema.required ?? [];
  const base = valid(schema) as fc.Arbitrary<Record<string, unknown>>;
  const breaks: fc.Arbitrary<Record<string, unknown>>[] = [];
  if (required.length > 0) {
    breaks.push(
      fc.tuple(base, fc.constantFrom(...required)).map(([value, key]) => {
        const { [key]: _dropped, ...rest } = value;
        return rest;
      }),
    );
  }
  for (const [key, property] of properties) {
    breaks.push(
      fc.tuple(base, wrongType(property)).map(([value, wrong]) => ({ ...value, [key]: wrong })),
    );
    const bad = property.type === "string" ? badText(property) : null;
    if (bad) breaks.push(fc.tuple(base, bad).map(([value, text]) => ({ ...value, [key]: text })));
  }
  return breaks.length > 0 ? fc.oneof(...breaks) : null;
}
