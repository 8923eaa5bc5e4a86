// `npm run size`: builds dist/widget.js and its locale packs and fails above the budget
// (docs/architecture.md §8: ≤ 16 KB gzip for everything one visitor loads, Preact included): the
// script, plus the largest pack, which a visitor of that locale fetches once they open the chat.
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "vite";

const BUDGET = 16 * 1024;
const root = fileURLToPath(new URL("..", import.meta.url));

await build({ root, configFile: `${root}vite.widget.config.ts`, logLevel: "error" });
const gzip = (path) => gzipSync(readFileSync(path), { level: 9 }).length;
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;

const code = readFileSync(`${root}dist/widget.js`);
const script = gzip(`${root}dist/widget.js`);
const packs = readdirSync(`${root}dist/widget-locales`).map((name) => ({
  name,
  gzip: gzip(`${root}dist/widget-locales/${name}`),
}));
const largest = packs.reduce((a, b) => (b.gzip > a.gzip ? b : a));
const total = script + largest.gzip;

console.log(`widget.js ${kb(script)} gzip (${script} bytes; ${kb(code.length)} minified)`);
console.log(`largest locale pack ${largest.name} ${largest.gzip} bytes gzip (of ${packs.length})`);
const line = `one visitor loads ${kb(total)} gzip (${total} bytes; budget ${kb(BUDGET)})`;
if (total > BUDGET) {
  console.error(`${line}: over budget by ${total - BUDGET} bytes`);
  process.exit(1);
}
console.log(`${line}: ${BUDGET - total} bytes to spare`);
