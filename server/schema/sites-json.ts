/**
 * The JSON Schema of the sites file, made from {@link SitesFile} (`npm run schema` writes it to
 * `schema/sites.schema.json`; a test fails when the committed file is stale). Editors complete and
 * check a sites file that names it: `"$schema": "./schema/sites.schema.json"`. What JSON Schema
 * cannot say (a real time zone, ids and agent emails unique across sites) stays with `loadConfig`.
 */
import { toJsonSchema } from "@valibot/to-json-schema";
import { SitesFile } from "./sites.ts";

/** The sites file's JSON Schema (draft 2020-12), as a JSON value. */
export function sitesJsonSchema() {
  const schema = toJsonSchema(SitesFile, {
    target: "draft-2020-12",
    typeMode: "input",
    // Checks in code (the URL's scheme, validateHours, the rules across sites) are not JSON Schema,
    // and the server trims and lowercases what an editor is shown as written.
    ignoreActions: ["check", "raw_check", "trim", "to_lower_case"],
    overrideAction: ({ valibotAction, jsonSchema }) => {
      // JSON Schema patterns have no flags: the server's case-blind rules say both cases.
      if (valibotAction.type === "regex" && "requirement" in valibotAction) {
        const rule = valibotAction.requirement as RegExp;
        if (rule.flags === "i") {
          return { ...jsonSchema, pattern: rule.source.replaceAll("a-z", "a-zA-Z") };
        }
      }
      return undefined;
    },
  });
  return schema;
}

/** The file's text: what `npm run schema` writes. */
export function sitesJsonSchemaText(): string {
  return `${JSON.stringify(sitesJsonSchema(), null, 2)}\n`;
}
