// `npm run build:lib`: the SDK and the server as plain JavaScript with declarations in dist/
// (what the package's `exports` and `bin` point at), by tsc alone: no bundling, one file per
// module. tsc rewrites `./x.ts` imports to `./x.js` in the JavaScript it emits but not in
// declarations, so those are mended here; the demo simulators' browser assets are copied.
import { execFileSync } from "node:child_process";
import { cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const dist = join(root, "dist");
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");

for (const part of ["sdk", "server"]) rmSync(join(dist, part), { recursive: true, force: true });
execFileSync(process.execPath, [tsc, "-p", join(root, "tsconfig.build.json")], {
  stdio: "inherit",
});

const relativeTs = /((?:from|import)\s*\(?\s*["']\.{1,2}\/[^"']*?)\.ts(["'])/g;
function mendDeclarations(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) mendDeclarations(path);
    else if (entry.name.endsWith(".d.ts")) {
      const text = readFileSync(path, "utf8");
      const mended = text.replace(relativeTs, "$1.js$2");
      if (mended !== text) writeFileSync(path, mended);
    }
  }
}
mendDeclarations(join(dist, "sdk"));
mendDeclarations(join(dist, "server"));

// The simulator pages' shared script, then each page's own files.
for (const assets of [
  "assets",
  "mail-simulator/assets",
  "messenger-simulator/assets",
  "phone-simulator/assets",
]) {
  cpSync(join(root, "server/node", assets), join(dist, "server/node", assets), { recursive: true });
}
