/**
 * Builds the edge worker (`npm run build:worker`): `server/worker.ts` and everything it imports
 * as one ES module, `dist/edge/worker.js`, for workerd. The build fails if a Node built-in is
 * reached from it (`node:*`, or a bare `fs`, `crypto` …): the worker runs on Web APIs only.
 * It then copies the built widget, its locale packs and the console (`npm run build`) into
 * `dist/edge/assets/`, the static-assets directory of wrangler.toml, and reports the bundle's size.
 */
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { builtinModules } from "node:module";
import { gzipSync } from "node:zlib";
import { defineConfig, type Plugin } from "vite";

const OUT = "dist/edge";
const BUILTINS = new Set(builtinModules.filter((name) => !name.startsWith("_")));

/** Refuses any import of a Node built-in, naming the module that asked for it. */
export const noNodeBuiltins: Plugin = {
  name: "omnithread-no-node-builtins",
  enforce: "pre",
  resolveId(source, importer) {
    const bare = source.startsWith("node:") ? source.slice(5) : source;
    if (source.startsWith("node:") || BUILTINS.has(bare) || BUILTINS.has(bare.split("/")[0]!)) {
      this.error(
        `the edge worker reached the Node built-in "${source}" (imported by ${importer ?? "the entry"}): it must run on Web APIs only`,
      );
    }
    return null;
  },
};

/** The widget, its locale packs and the console, as the Node entry serves them, for `ASSETS`. */
const copyAssets: Plugin = {
  name: "omnithread-worker-assets",
  apply: "build",
  closeBundle() {
    const assets = `${OUT}/assets`;
    rmSync(assets, { recursive: true, force: true });
    mkdirSync(assets, { recursive: true });
    for (const [from, to] of [
      ["dist/widget.js", `${assets}/widget.js`],
      ["dist/widget-locales", `${assets}/widget-locales`],
      ["dist/console", `${assets}/console`],
    ] as const) {
      if (!existsSync(from)) throw new Error(`${from} is missing: run npm run build first`);
      cpSync(from, to, { recursive: true });
    }
  },
};

/** Prints the bundle's size, raw and gzip (what Cloudflare's size limit counts). */
let quiet = false;
const reportSize: Plugin = {
  name: "omnithread-worker-size",
  apply: "build",
  configResolved(config) {
    quiet = config.logLevel === "error" || config.logLevel === "silent";
  },
  closeBundle() {
    if (quiet) return;
    const code = readFileSync(`${OUT}/worker.js`);
    const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
    console.log(
      `${OUT}/worker.js: ${kb(code.length)}, ${kb(gzipSync(code, { level: 9 }).length)} gzip`,
    );
  },
};

export default defineConfig({
  plugins: [noNodeBuiltins, copyAssets, reportSize],
  publicDir: false,
  logLevel: "warn",
  ssr: {
    target: "webworker",
    noExternal: true,
    resolve: { conditions: ["workerd", "worker", "browser"], externalConditions: ["workerd"] },
  },
  build: {
    ssr: "server/worker.ts",
    outDir: OUT,
    emptyOutDir: false,
    target: "es2022",
    minify: true,
    sourcemap: true,
    reportCompressedSize: false,
    rolldownOptions: {
      output: { entryFileNames: "worker.js", format: "es" },
    },
  },
});
