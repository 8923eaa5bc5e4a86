/**
 * One way to check any input against its schema (valibot): request bodies, queries, frames,
 * webhook payloads and the sites file. A problem is told as its path and what the value must
 * be (`"text" must be 1–4000 characters`): each schema's messages say only the "must be" part,
 * and the path is added here, from where the value sits.
 */
import * as v from "valibot";

export type Schema = v.GenericSchema;
export type Issue = v.BaseIssue<unknown>;

/** `context.pages[0].url`: where an issue's value sits, as a reader writes it. */
export function pathOf(issue: Issue): string {
  let path = "";
  for (const item of issue.path ?? []) {
    const key = item.key;
    if (typeof key === "number") path += `[${key}]`;
    else path += path ? `.${String(key)}` : String(key);
  }
  return path;
}

/** The innermost issues of a union or a nested check, where the actual problems are. */
function leaves(issue: Issue): Issue[] {
  if (!issue.issues?.length) return [issue];
  // A union's branches report paths from the union's own value: put the union's path first.
  const base = issue.path ?? [];
  const nested = issue.issues
    .flatMap(leaves)
    .map((inner) => ({ ...inner, path: [...base, ...(inner.path ?? [])] }) as Issue);
  const deepest = Math.max(...nested.map((i) => i.path?.length ?? 0));
  // Every branch refused the value itself (`"window": 5`): the union's own message says it best.
  if (deepest <= base.length) return [issue];
  // Else the branch that got furthest (the longest path) says most.
  return nested.filter((i) => (i.path?.length ?? 0) === deepest).slice(0, 1);
}

/** One issue as a sentence: `"<path>" <message>`, or the message alone at the top. */
export function describe(issue: Issue, top = "The body"): string {
  const path = pathOf(issue);
  if (!path) return `${top} ${issue.message}`;
  if (issue.received === "undefined" && issue.expected !== "never") return `"${path}" is required`;
  // An unknown key's message starts with ":" (`"origin": unknown key`).
  return `"${path}"${issue.message.startsWith(":") ? "" : " "}${issue.message}`;
}

/**
 * Every problem of `value` against `schema`, each as a sentence; empty when it fits.
 *
 * @example
 * problems(MessageBody, { text: "" }); // ['"clientId" is required', '"text" must be 1–4000 characters']
 */
export function problems(schema: Schema, value: unknown, top?: string): string[] {
  const result = v.safeParse(schema, value, { abortPipeEarly: true });
  if (result.success) return [];
  return result.issues.flatMap((issue) => leaves(issue)).map((issue) => describe(issue, top));
}

/**
 * The value as its schema's output, or a {@link TypeError}-free failure: `fail` gets the first
 * problem's sentence (routes answer it as 400 `bad_request`).
 *
 * @example
 * const body = parseWith(MessageBody, json, (message) => { throw new AppError("bad_request", message); });
 */
export function parseWith<S extends Schema>(
  schema: S,
  value: unknown,
  fail: (message: string, all: string[]) => never,
  top?: string,
): v.InferOutput<S> {
  const result = v.safeParse(schema, value, { abortPipeEarly: true });
  if (result.success) return result.output;
  const all = result.issues.flatMap((issue) => leaves(issue)).map((issue) => describe(issue, top));
  return fail(all[0]!, all);
}
