/**
 * Builds the script-tag widget: one self-contained IIFE, `dist/widget.js` (Preact and the SDK
 * included), minified for `npm run size`'s budget, and its locale packs,
 * `dist/widget-locales/<locale>.<version>.json`.
 */
import { rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { defineConfig, type Plugin } from "vite";
import { localePacks } from "./scripts/locale-packs.ts";

const packs = localePacks();

/**
 * Writes the locale packs of this build (widget/i18n.ts) next to widget.js, in place of the last
 * build's: a widget.js still cached from before asks for a pack that is gone and shows English.
 */
const writePacks: Plugin = {
  name: "omnithread-locale-packs",
  buildStart() {
    rmSync(fileURLToPath(new URL("dist/widget-locales", import.meta.url)), {
      recursive: true,
      force: true,
    });
  },
  generateBundle() {
    for (const [name, source] of Object.entries(packs.files))
      this.emitFile({ type: "asset", fileName: `widget-locales/${name}`, source });
  },
};

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

/** The stylesheet without its line breaks (one rule a line in the source, for reading). */
const compactCss: Plugin = {
  name: "omnithread-compact-css",
  transform(code, id) {
    if (!id.endsWith("/widget/styles.ts")) return undefined;
    const compacted = code.replace(
      /CSS = `([^`]*)`/,
      (_all, css: string) => `CSS = \`${css.replace(/\n/g, "")}\``,
    );
    if (compacted === code) throw new Error("compactCss: no CSS template in styles.ts");
    return compacted;
  },
};

export default defineConfig({
  plugins: [compactCss, asciiOnly, writePacks],
  // Production JSX whoever builds (vitest's global setup runs with NODE_ENV=test, which would
  // otherwise leave development props such as __self and __source in every element).
  oxc: { jsx: { development: false } },
  // The packs' version, in their URLs (widget/i18n.ts).
  define: { __OT_PACKS__: JSON.stringify(packs.version) },
  publicDir: false,
  logLevel: "warn",
  build: {
    outDir: "dist",
    emptyOutDir: false,
    target: "es2020",
    minify: true,
    sourcemap: false,
    reportCompressedSize: false,
    rolldownOptions: {
      // Class fields as plain assignments, not defineProperty helpers: smaller, same behaviour here.
      transform: { assumptions: { setPublicClassFields: true } },
      // Preact's private properties (`__k`, `__e`, `__P` …: two underscores and one letter) get
      // one-letter names. Only Preact's own code uses them, all of it in this one bundle (no
      // devtools, no other copy of Preact); `__html` and `__proto__` do not match (~45 bytes).
      // So do the names listed below, each read and written only inside this bundle: never a DOM,
      // dataset, JSON (protocol) or page-facing (`window.omnithread`) name; `open`, `send`,
      // `events`, `status`, `channel`, `greeting`, `rating` … are such names and are not listed.
      // A name added here needs that check: most browser tests run the source, not this bundle.
      output: {
        minify: {
          mangleProps: {
            include: new RegExp(
              `^(__[a-zA-Z]|${[
                // Preact's class-component lifecycle and option hooks: this bundle has only
                // function components and no addon that sets a hook.
                "componentWillMount|componentDidMount|componentWillReceiveProps|shouldComponentUpdate",
                "componentWillUpdate|componentDidUpdate|getSnapshotBeforeUpdate|componentWillUnmount",
                "componentDidCatch|getDerivedStateFromProps|getDerivedStateFromError|getChildContext",
                "contextType|debounceRendering|forceUpdate|setState|vnode|diffed|unmount|props|render|sub",
                // The widget's view, actions and refs, and the client methods it calls.
                "outgoing|announce|mounted|busy|ask|bad|launcher|keydown|choose|pick|reconnect|retry",
                "ways|unread|failed|item|time|csat|away|input|typing|resume|connect|ready|rate",
                "server|storage|createClient|callbackWindows|cancelCallback",
                "when|dropped|cancelling|offer|active|said|messages|emit|frame",
              ].join("|")})$`,
            ),
          },
        },
      },
    },
    lib: {
      entry: "widget/main.ts",
      formats: ["iife"],
      name: "omnithreadWidget",
      fileName: () => "widget.js",
    },
  },
});
