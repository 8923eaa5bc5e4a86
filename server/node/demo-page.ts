import { readFileSync } from "node:fs";
import type { Hono } from "hono";
import { route } from "../schema/route.ts";

/**
 * Serves one of the demo's simulator pages (the Messenger phone, the webmail): the HTML under a
 * strict CSP and its files, `app.js` and `app.css` read once from `assets`, and `shared.js`.
 *
 * @example
 * serveDemoPage(routes, { path: "/demo/mail", title: "webmail", csp, html: page(site.name), assets: new URL("./assets/", import.meta.url) });
 */
export function serveDemoPage(
  routes: Hono,
  options: { path: string; title: string; csp: string; html: string; assets: URL },
): void {
  const files = {
    "app.js": [
      "text/javascript; charset=utf-8",
      readFileSync(new URL("app.js", options.assets), "utf8"),
    ],
    // What every simulator page's app.js imports.
    "shared.js": [
      "text/javascript; charset=utf-8",
      readFileSync(new URL("./assets/shared.js", import.meta.url), "utf8"),
    ],
    "app.css": [
      "text/css; charset=utf-8",
      readFileSync(new URL("app.css", options.assets), "utf8"),
    ],
  } as const;
  const doc = (summary: string, mediaType: string) =>
    route({
      summary,
      tag: "demo",
      auth: "none",
      responses: { 200: { description: summary, mediaType } },
    });
  routes.get(options.path, doc(`The ${options.title} page`, "text/html"), (c) => {
    c.header("Content-Security-Policy", options.csp);
    c.header("Cache-Control", "no-store");
    c.header("Referrer-Policy", "no-referrer");
    return c.html(options.html);
  });
  for (const [name, [type, body]] of Object.entries(files)) {
    routes.get(`${options.path}/${name}`, doc(`The ${options.title} page's ${name}`, type), (c) => {
      c.header("Content-Type", type);
      c.header("Cache-Control", "no-cache");
      return c.body(body);
    });
  }
}
