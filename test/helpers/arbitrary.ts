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
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
}

function stringOf(schema: JsonSchema): fc.Arbitrary<string> {
  const minLength = schema.minLength ?? 0;
  const maxLength = Math.min(schema.maxLength ?? 40, minLength + 40);
  if (schema.format === "email") return fc.constantFrom("ana@example.com", "bo.de@shop.example");
  if (schema.format === "uri") return fc.webUrl({ validSchemes: ["https"] });
  const text = schema.pattern
    ? fc.stringMatching(new RegExp(schema.pattern))
    : fc.string({ minLength, maxLength, unit: "grapheme-ascii" });
  // Text of only spaces is often refused by a check JSON Schema cannot say: lead with a letter.
  return text
    .map((value) => (schema.pattern ? value : value.replace(/^\s/, "a")))
    .filter((value) => value.length >= minLength && value.length <= (schema.maxLength ?? 1e9));
}

/**
 * Values `schema` accepts.
 *
 * @example
 * fc.assert(fc.asyncProperty(valid(schema), async (body) => { ... }));
 */
export function valid(schema: JsonSchema): fc.Arbitrary<unknown> {
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const branches = schema.anyOf ?? schema.oneOf;
  if (branches) return fc.oneof(...branches.map(valid));
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case "object": {
      const required = new Set(schema.required ?? []);
      const entries = Object.entries(schema.properties ?? {});
      return fc.record(Object.fromEntries(entries.map(([key, value]) => [key, valid(value)])), {
        requiredKeys: entries.map(([key]) => key).filter((key) => required.has(key)),
      });
    }
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
    if (property.type === "string" && property.maxLength !== undefined) {
      const tooLong = "x".repeat(property.maxLength + 1);
      breaks.push(base.map((value) => ({ ...value, [key]: tooLong })));
    }
  }
  return breaks.length > 0 ? fc.oneof(...breaks) : null;
}
