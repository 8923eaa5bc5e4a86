// `npm run schema`: writes schema/sites.schema.json from the sites file's valibot schema
// (server/schema/sites.ts). server/schema/sites-json.test.ts fails when the committed file is stale.
import { mkdirSync, writeFileSync } from "node:fs";
import { sitesJsonSchemaText } from "../server/schema/sites-json.ts";

const out = new URL("../schema/sites.schema.json", import.meta.url);
mkdirSync(new URL(".", out), { recursive: true });
writeFileSync(out, sitesJsonSchemaText());
console.log(`wrote ${out.pathname}`);
