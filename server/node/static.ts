import { existsSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { serveStatic } from "@hono/node-server/serve-static";
import { Hono } from "hono";
import { errorBody } from "../errors.ts";
import { ASSET_ROUTES, assetHeaders, DEMO_CSP } from "../http/assets.ts";
import { route } from "../schema/route.ts";

const DEMO_PAGE_ROUTES = {
  cspPage: route({
    summary: "The demo shop's page under a strict CSP (the widget must work there)",
    tag: "demo",
    auth: "none",
    responses: { 200: { description: "The page", mediaType: "text/html" } },
  }),
  sitesFile: route({
    summary: "Never served: the demo folder's sites file is configuration",
    tag: "demo",
    auth: "none",
    responses: { 404: "Always" },
  }),
};

/**
 * Built assets (the widget, its locale packs, the agent console) and the demo shop, from the
 * filesystem (Node only; the edge worker serves the same files from its static-assets binding,
 * `server/worker/assets.ts`). `/widget.js` is what site owners' script tags load,
 * `/widget-locales/*` what it loads once opened.
 *
 * @example
 * app.route("/", staticRoutes(ROOT, { demo: true }));
 */
export function staticRoutes(root: string, options: { demo: boolean }) {
  const routes = new Hono();
  const widget = join(root, "dist", "widget.js");
  let cached: { mtime: number; body: string } | null = null;

  routes.get("/widget.js", ASSET_ROUTES.widget, (c) => {
    if (!existsSync(widget)) {
      return c.json(errorBody("not_found", "The widget is not built yet: run npm run build"), 404);
    }
    // Read once per build: the file is small and every page view asks for it.
    const mtime = statSync(widget).mtimeMs;
    if (cached?.mtime !== mtime) cached = { mtime, body: readFileSync(widget, "utf8") };
    assetHeaders(c, "widget");
    return c.body(cached.body);
  });

  // The widget's locale packs (widget/i18n.ts): fetched by the widget from the host page's origin
  // (public strings, so any origin may read them, a 404 too), versioned by name, so cached for good.
  routes.get(
    "/widget-locales/*",
    ASSET_ROUTES.widgetLocale,
    async (c, next) => {
      await next();
      // A 404 too: any page's widget may read the answer.
      c.header("Access-Control-Allow-Origin", "*");
    },
    serveStatic({
      root: join(root, "dist"),
      onFound: (_path, c) => assetHeaders(c, "widgetLocale"),
    }),
  );

  // The agent console: hashed assets as they are, every other path to its index (client routing).
  const consoleDir = join(root, "dist", "console");
  routes.get("/console", ASSET_ROUTES.consoleRoot, (c) => c.redirect("/console/", 301));
  routes.get(
    "/console/assets/*",
    ASSET_ROUTES.consoleAsset,
    serveStatic({
      root: consoleDir,
      rewriteRequestPath: (path) => path.replace(/^\/console/, ""),
      onFound: (_path, c) => assetHeaders(c, "consoleAsset"),
    }),
  );
  routes.get("/console/*", ASSET_ROUTES.consolePage, (c) => {
    const index = join(consoleDir, "index.html");
    if (!existsSync(index)) {
      return c.json(errorBody("not_found", "The console is not built yet: run npm run build"), 404);
    }
    assetHeaders(c, "consolePage");
    return c.html(readFileSync(index, "utf8"));
  });

  if (options.demo) {
    const demo = resolve(root, "demo");
    routes.get("/csp.html", DEMO_PAGE_ROUTES.cspPage, async (c, next) => {
      await next();
      c.header("Content-Security-Policy", DEMO_CSP);
    });
    // The demo folder's own sites file is configuration, not a page.
    routes.get("/sites.json", DEMO_PAGE_ROUTES.sitesFile, (c) =>
      c.json(errorBody("not_found", "Not found"), 404),
    );
    routes.use("/*", serveStatic({ root: demo }));
  }
  return routes;
}
