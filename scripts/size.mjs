// `npm run size`: builds dist/widget.js and fails above the budget (DESIGN §8: ≤ 16 KB gzip for
// everything the script tag loads, Preact included).
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "vite";

const BUDGET = 16 * 1024;
const root = fileURLToPath(new URL("..", import.meta.url));

await build({ root, configFile: `${root}vite.widget.config.ts`, logLevel: "error" });
const code = readFileSync(`${root}dist/widget.js`);
const gzip = gzipSync(code, { level: 9 }).length;
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
const line = `widget.js ${kb(gzip)} gzip (${gzip} bytes; ${kb(code.length)} minified; budget ${kb(BUDGET)})`;
if (gzip > BUDGET) {
  console.error(`${line}: over budget by ${gzip - BUDGET} bytes`);
  process.exit(1);
}
console.log(`${line}: ${BUDGET - gzip} bytes to spare`);
