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

/** Some character that is not a space: a pattern, so the JSON Schema says it too. */
const NOT_BLANK = /\S/;

/** Text that is not only spaces, of at most `max` characters. */
export function words(max: number) {
  return v.pipe(text(1, max), v.regex(NOT_BLANK, "must not be empty"));
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

/** A DNS name like `reply.example.com` (an email address's domain part), lowercased. */
export const DOMAIN = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;

/** A dot-atom (RFC 5322 §3.2.3): what a plain local part is made of, without quotes. */
const ATOM = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+";

/**
 * The server's one rule for an email address, for every input that is one (the sites file, the
 * environment, a visitor's address, an identity proof, the addresses in inbound mail):
 * `local@domain.tld` with a dot-atom local part of at most 64 characters and at most 254 in all
 * (RFC 5321's limits; the rule is ASCII, so characters are octets). No display names, quotes,
 * spaces or CR/LF: nothing a header could be smuggled through.
 */
export const EMAIL = new RegExp(
  `^(?=[^@]{1,64}@)(?=.{1,254}$)${ATOM}(?:\\.${ATOM})*@${DOMAIN.source.slice(1)}`,
  "i",
);
export const email = v.pipe(
  v.string("must be a string"),
  v.trim(),
  v.regex(EMAIL, "must be an email address like ana@example.com"),
  v.toLowerCase(),
);

export const domain = v.pipe(
  v.string("must be a string"),
  v.trim(),
  v.regex(DOMAIN, got("must be a domain name like reply.example.com")),
  v.toLowerCase(),
);

/**
 * A "must be" message that also shows the value received (`must be like "NL", got "nl"`): for
 * files and variables people write by hand, never for secrets.
 */
export function got(message: string): (issue: v.BaseIssue<unknown>) => string {
  return (issue) => `${message}, got ${JSON.stringify(issue.input)}`;
}

function parsed(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

const isHttp = (value: string) => {
  const url = parsed(value);
  return !url || url.protocol === "http:" || url.protocol === "https:";
};

/** Whether a string is an absolute `http:` or `https:` URL. */
export function isHttpUrl(value: string): boolean {
  return parsed(value) !== undefined && isHttp(value);
}

/**
 * An absolute http(s) URL, its trailing slashes dropped (`https://u.example/` → `https://u.example`).
 *
 * @example
 * const env = loose({ PUBLIC_URL: v.optional(httpUrl) });
 */
export const httpUrl = v.pipe(
  v.string("must be a string"),
  v.url(got("must be an absolute http(s) URL")),
  v.check(isHttp, got("must be an http(s) URL")),
  v.transform((value) => value.replace(/\/+$/, "")),
);

/** A browser origin, `scheme://host[:port]` (`https://shop.example`), as `URL#origin` writes it. */
export const origin = v.pipe(
  v.string('must be a string origin like "https://shop.example"'),
  v.url(got("must be an absolute http(s) URL")),
  v.check(isHttp, got("must be an http(s) URL")),
  v.check((value) => {
    const bare = value.replace(/\/+$/, "");
    return !parsed(bare) || parsed(bare)!.origin === bare;
  }, got("must be an origin (scheme://host[:port])")),
  v.transform((value) => new URL(value).origin),
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

/** Edits from `a` to `b`, a swap of two neighbours counting one (`nmae` → `name`). */
function editDistance(a: string, b: string): number {
  let before: number[] = [];
  let row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) {
      const swap = a[i - 1] === b[j - 1] ? 0 : 1;
      next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + swap);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        next[j] = Math.min(next[j]!, before[j - 2]! + 1);
      }
    }
    before = row;
    row = next;
  }
  return row[b.length]!;
}

/**
 * The same schema, refusing arrays with its own type message: valibot's object and record schemas
 * take any `typeof "object"`, so `"context": []` would pass as an empty object. The schema's own
 * properties (`entries`, for `v.variant`, and what the JSON Schema is made from) are inherited.
 */
export function plainObject<S extends v.GenericSchema>(schema: S): S {
  const run = schema["~run"];
  const guarded: Pick<v.GenericSchema, "~run"> = {
    "~run"(dataset, config) {
      // null takes the schema's own "must be an object" path, with its message and issue shape.
      const input = Array.isArray(dataset.value) ? { ...dataset, value: null } : dataset;
      return run.call(this, input, config);
    },
  };
  return Object.assign(Object.create(schema) as S, guarded);
}

/**
 * An object that refuses keys it does not know, naming the nearest known one
 * (`"origin": unknown key, did you mean "origins"?`): for files people write by hand. Every
 * unknown key is told (valibot's `strictObject` stops at the first), and the JSON Schema says
 * `additionalProperties: false`. Typed as a strict object: its output has the known keys only.
 *
 * @example
 * const site = strict({ id: text(1, 64), origins: v.array(v.string()) });
 * const hours = strict({ timeZone: v.string() }, 'must be { "timeZone": "..." }');
 */
export function strict<const E extends v.ObjectEntries>(entries: E, message = "must be an object") {
  const known = Object.keys(entries);
  const schema = v.pipe(
    plainObject(v.looseObject(entries, message)),
    v.rawCheck(({ dataset, addIssue }) => {
      const value = dataset.value as Record<string, unknown>;
      if (typeof value !== "object" || value === null || Array.isArray(value)) return;
      for (const key of Object.keys(value)) {
        if (Object.hasOwn(entries, key)) continue;
        const guess = nearest(key, known);
        addIssue({
          message: guess ? `: unknown key, did you mean "${guess}"?` : ": unknown key",
          expected: "never",
          input: key,
          path: [{ type: "object", origin: "key", input: value, key, value: value[key] }],
        });
      }
    }),
    v.metadata({ additionalProperties: false }),
  );
  return schema as unknown as v.StrictObjectSchema<E, string>;
}

/** An object that lets unknown keys through (wire shapes: "more fields welcome"). */
export function loose<const E extends v.ObjectEntries>(entries: E) {
  return plainObject(v.object(entries, "must be an object"));
}

/** An attachment's id as uploads answer it: its conversation's id, a dash, its own part. */
export const ATTACHMENT_ID = /^[a-z2-7]{1,64}-[a-z2-7]{8,32}$/;

/** The files a message carries: ids of uploads to its conversation, one to ten. */
export const attachmentIds = v.pipe(
  v.array(
    v.pipe(
      v.string("must be an attachment id"),
      v.regex(ATTACHMENT_ID, "must be an attachment id"),
    ),
    "must be an array of attachment ids",
  ),
  v.minLength(1, "must name at least one attachment"),
  v.maxLength(10, "must name at most 10 attachments"),
);

/** Message schemas that need `text`, `attachments` or both (see {@link needsContent}). */
export const CONTENT_SCHEMAS = new WeakSet<object>();

/**
 * Marks a message's schema: it holds an optional `text` and optional `attachments`, and needs one
 * of them. Valibot checks one field at a time, so the rule itself is the thread's
 * (`messageContent` refuses a message with neither); the JSON Schema says it as an `anyOf`.
 *
 * @example
 * export const MessageBody = needsContent(loose({ clientId, text: v.optional(words(4000)), attachments: v.optional(attachmentIds) }));
 */
export function needsContent<S extends object>(schema: S): S {
  CONTENT_SCHEMAS.add(schema);
  return schema;
}

/** Text of at most `max` characters, empty allowed (a note, a comment, a title). */
export function upTo(max: number) {
  return v.pipe(
    v.string("must be a string"),
    v.maxLength(max, `must be at most ${max} characters`),
  );
}

/** Text a person fills in (a phone number, a zone): not only spaces, at most `max` characters. */
export function filled(max: number) {
  return v.pipe(
    v.string("must be a string"),
    v.regex(NOT_BLANK, "must not be empty"),
    v.maxLength(max, `must be at most ${max} characters`),
  );
}

/**
 * An optional field that may also be sent as `null` (forms send what they have): both read as
 * absent, so the output is the field's type or `undefined`.
 *
 * @example
 * const body = loose({ note: maybe(upTo(1000)) }); // { note?: string }
 */
export function maybe<S extends v.GenericSchema>(schema: S) {
  return v.optional(
    v.pipe(
      v.nullable(schema),
      v.transform((value) => (value === null ? undefined : value) as v.InferOutput<S>),
    ),
  );
}

/** A whole number of 0 or more, such as a `seq`. */
export const count = v.pipe(
  v.number("must be a whole number, 0 or more"),
  v.safeInteger("must be a whole number, 0 or more"),
  v.minValue(0, "must be a whole number, 0 or more"),
);

/**
 * A `seq` in a query string (`?after=12`): digits, absent or empty meaning 0.
 *
 * @example
 * const query = loose({ after: seqText });
 */
export const seqText = v.pipe(
  v.optional(v.string("must be a non-negative integer"), ""),
  v.regex(/^\d{0,15}$/, "must be a non-negative integer"),
  v.transform(Number),
);

/** An absolute http(s) URL of at most `max` characters, kept as given (a page the visitor is on). */
export function pageUrl(max = 2048) {
  return v.pipe(
    v.string("must be a string"),
    v.maxLength(max, `must be a URL of at most ${max} characters`),
    v.url("must be an http(s) URL"), // says `format: uri` in the document
    v.check(isHttpUrl, "must be an http(s) URL"),
  );
}

/** The idempotency key a client gives each message (an outbox retries with the same one). */
export const CLIENT_ID = /^[A-Za-z0-9._:-]{1,64}$/;
export const clientId = v.pipe(
  v.string("must be a string"),
  v.regex(CLIENT_ID, "must be 1–64 characters of A–Z, a–z, 0–9 and . _ : -"),
);

/** A BCP 47 language tag as browsers report it: `en`, `nl-BE`, `zh-Hant-TW`. */
export const locale = v.pipe(
  v.string("must be a string"),
  v.maxLength(35, "must be a language tag like en or nl-BE"),
  v.regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, "must be a language tag like en or nl-BE"),
);

/** An attribute's value: short text, a finite number, true or false, or null. */
const attributeValue = v.union(
  [
    v.pipe(v.string(), v.maxLength(500, "must be at most 500 characters")),
    v.pipe(v.number(), v.finite()),
    v.boolean(),
    v.null(),
  ],
  "must be a string (at most 500 characters), a number, true or false, or null",
);

/**
 * Flat attributes a site or visitor sets (`{ plan: "pro", seats: 3 }`): at most 50, each named
 * by 1–64 characters of A–Z, a–z, 0–9 and `_ . -`.
 */
export const attributes = v.pipe(
  plainObject(
    v.record(
      v.pipe(
        v.string(),
        v.regex(
          /^[A-Za-z0-9_.-]{1,64}$/,
          ": not a valid name (1–64 characters of A–Z, a–z, 0–9, _ . -)",
        ),
      ),
      attributeValue,
      "must be an object",
    ),
  ),
  v.check((value) => Object.keys(value).length <= 50, "must have at most 50 keys"),
);

/** An instant as ISO 8601 with a time (`2030-01-07T09:00:00Z`). */
export const instant = v.pipe(
  v.string("must be a string"),
  v.maxLength(40, "must be an ISO 8601 time like 2030-01-07T09:00:00Z"),
  v.check(
    (value) => /T\d\d:\d\d/.test(value) && Number.isFinite(Date.parse(value)),
    "must be an ISO 8601 time like 2030-01-07T09:00:00Z",
  ),
  v.metadata({ format: "date-time" }),
);

/**
 * `schema`, with the rule that at least one of `keys` is set, told at the object (`The body must
 * set "status" and/or "assignee"`) and said in the JSON Schema as `anyOf` of each key required.
 *
 * @example
 * const Change = someOf(loose({ status, assignee }), ["status", "assignee"]);
 */
export function someOf<S extends v.ObjectSchema<v.ObjectEntries, string>>(
  schema: S,
  keys: readonly [keyof S["entries"] & string, ...(keyof S["entries"] & string)[]],
) {
  const names = keys.map((key) => `"${key}"`);
  return v.pipe(
    schema,
    v.check(
      (body) => keys.some((key) => (body as Record<string, unknown>)[key] !== undefined),
      `must set ${names.slice(0, -1).join(", ")} and/or ${names.at(-1)}`,
    ),
    v.metadata({ anyOf: keys.map((key) => ({ required: [key] })) }),
  );
}

/**
 * A field of a payload we must acknowledge whatever it holds (a webhook: its sender retries what
 * we refuse): absent, or of the wrong type, it reads as `undefined` instead of failing the whole.
 *
 * @example
 * const event = loose({ mid: tolerant(v.string()) }); // { mid: 5 } reads as { mid: undefined }
 */
export function tolerant<S extends v.GenericSchema>(schema: S) {
  return v.fallback(v.optional(schema), undefined);
}

/**
 * An array whose items that do not fit `item` are dropped, the others kept: one odd item of a
 * webhook batch is skipped, never the batch. What is not an array fails as `v.array` does, and
 * the JSON Schema is the array's, items included.
 *
 * @example
 * v.parse(sifted(v.string()), ["a", 1, "b"]); // ["a", "b"]
 */
export function sifted<S extends v.GenericSchema>(item: S, message = "must be an array") {
  const schema = v.array(item, message);
  const run = schema["~run"];
  const guarded: Pick<v.GenericSchema, "~run"> = {
    "~run"(dataset, config) {
      if (!Array.isArray(dataset.value)) return run.call(this, dataset, config);
      const kept: unknown[] = [];
      for (const value of dataset.value as unknown[]) {
        const read = item["~run"]({ value }, config);
        if (!read.issues) kept.push(read.value);
      }
      return { typed: true, value: kept };
    },
  };
  return Object.assign(Object.create(schema) as typeof schema, guarded);
}
