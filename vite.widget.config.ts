/**
 * Builds the script-tag widget: one self-contained IIFE, `dist/widget.js` (Preact and the SDK
 * included), minified for `npm run size`'s budget.
 */
import { defineConfig, type Plugin } from "vite";

/**
 * Escapes every non-ASCII character (\uXXXX): the script then reads the same whatever charset
 * the host page or the server's Content-Type implies (a page without `<meta charset>` would read
 * "…" as "â€¦"). Only strings, templates and regexps hold such characters in the minified output,
 * where the escape means the same character. It gzips smaller, too.
 */
const asciiOnly: Plugin = {
  name: "omnithread-ascii-only",
  generateBundle(_options, bundle) {
    for (const chunk of Object.values(bundle)) {
      if (chunk.type !== "chunk") continue;
      chunk.code = chunk.code.replace(
        /[^\0-\x7f]/g,
        (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
      );
    }
  },
};

export default defineConfig({
  plugins: [asciiOnly],
  publicDir: false,
  logLevel: "warn",
  build: {
    outDir: "dist",
    emptyOutDir: false,
    target: "es2020",
    minify: true,
    sourcemap: false,
    reportCompressedSize: false,
    // Class fields as plain assignments, not defineProperty helpers: smaller, same behaviour here.
    rolldownOptions: { transform: { assumptions: { setPublicClassFields: true } } },
    lib: {
      entry: "widget/main.ts",
      formats: ["iife"],
      name: "omnithreadWidget",
      fileName: () => "widget.js",
    },
  },
});
