/**
 * Builds the agent console: a Preact app served by the server at `/console/`, as
 * `dist/console/index.html` plus hashed assets (`dist/console/assets/*`). No inline script or
 * style, so it runs under a strict Content-Security-Policy.
 */
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

export default defineConfig({
  root: fileURLToPath(new URL("./console", import.meta.url)),
  base: "/console/",
  // Production JSX whoever builds (vitest's global setup runs with NODE_ENV=test, which would
  // otherwise leave development props such as __self and __source in every element).
  oxc: { jsx: { development: false } },
  publicDir: false,
  logLevel: "warn",
  build: {
    outDir: fileURLToPath(new URL("./dist/console", import.meta.url)),
    emptyOutDir: true,
    target: "es2022",
    minify: true,
    sourcemap: false,
    // One entry chunk: no preload polyfill needed, and none inlined into the page.
    modulePreload: { polyfill: false },
    // Small assets (the favicon) stay files: a data: URL would need its own CSP allowance.
    assetsInlineLimit: 0,
    reportCompressedSize: false,
  },
});
