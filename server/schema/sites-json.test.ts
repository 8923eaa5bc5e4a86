import { readFileSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { hashPassword } from "../auth/passwords.ts";
import { loadConfig } from "../config.ts";
import { sitesJsonSchema, sitesJsonSchemaText } from "./sites-json.ts";

const committed = () =>
  readFileSync(new URL("../../schema/sites.schema.json", import.meta.url), "utf8");
const file = (path: string) =>
  JSON.parse(readFileSync(new URL(`../../${path}`, import.meta.url), "utf8"));

/** A JSON Schema validator as an editor would use one; `uri` as the server reads a URL. */
function validator() {
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  ajv.addFormat("uri", (value: string) => URL.canParse(value));
  return ajv.compile(JSON.parse(committed()));
}

describe("schema/sites.schema.json", () => {
  it("is what `npm run schema` makes of the sites schema now (run it after changing the schema)", () => {
    expect(committed()).toBe(sitesJsonSchemaText());
    expect(sitesJsonSchema().$schema).toBe("https://json-schema.org/draft/2020-12/schema");
  });

  it("takes the demo's sites file and the deploy example once its hash is made", async () => {
    const validate = validator();
    expect(validate(file("demo/sites.json")), JSON.stringify(validate.errors)).toBe(true);
    const example = file("deploy/sites.example.json");
    // As shipped the hash is a placeholder: the JSON Schema says so too.
    expect(validate(example)).toBe(false);
    expect(validate.errors?.[0]?.instancePath).toBe("/sites/0/agents/0/passwordHash");
    const hash = await hashPassword("a long passphrase", { N: 1024 });
    for (const site of example.sites) for (const agent of site.agents) agent.passwordHash = hash;
    example.$schema = "./schema/sites.schema.json";
    expect(validate(example), JSON.stringify(validate.errors)).toBe(true);
    expect(loadConfig({}, JSON.stringify(example)).sites[0]?.id).toBe("shop");
  });

  it("refuses what the server refuses: unknown keys, an incomplete messenger block, a bad email", () => {
    const validate = validator();
    const site = (extra: Record<string, unknown>) => ({ sites: [{ id: "a", ...extra }] });
    for (const wrong of [
      site({ origin: ["https://a.example"] }),
      site({ bussinessHours: {} }),
      site({ messenger: { pageId: "p", appSecret: "s" } }),
      site({ email: { from: "support@", replyDomain: "r.a.example" } }),
      site({ agents: [{ email: "ana@example.com", passwordHash: "plain" }] }),
      site({ callback: { windowMinutes: 5 } }),
      site({ businessHours: { timeZone: "Europe/Amsterdam", days: { mon: ["9:00", "17:00"] } } }),
      { sites: [] },
      { sites: [{ id: "Bad Id" }] },
    ]) {
      expect(validate(wrong), JSON.stringify(wrong)).toBe(false);
    }
    expect(validate(site({ email: { from: "S@A.example", replyDomain: "R.A.example" } }))).toBe(
      true,
    );
  });
});
