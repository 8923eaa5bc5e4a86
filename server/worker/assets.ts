import { type Context, Hono } from "hono";
import { errorBody } from "../errors.ts";
import { ASSET_ROUTES, assetHeaders } from "../http/assets.ts";
import type { Fetcher } from "./runtime.ts";

/**
 * The built widget, its locale packs and the console from the worker's static-assets binding (`[assets]` in
 * wrangler.toml, filled by `npm run build:worker`), with the same headers as the Node entry's
 * `server/node/static.ts`. The demo shop's pages stay on Node.
 *
 * @example
 * if (env.ASSETS) app.route("/", assetRoutes(env.ASSETS));
 */
export function assetRoutes(assets: Fetcher): Hono {
  const routes = new Hono();

  async function serve(
    c: Context,
    path: string,
    kind: Parameters<typeof assetHeaders>[1],
  ): Promise<Response> {
    const found = await assets.fetch(new URL(path, c.req.url));
    if (!found.ok) {
      await found.body?.cancel();
      return c.json(errorBody("not_found", `${path} is not among the deployed assets`), 404);
    }
    c.header("Content-Type", found.headers.get("content-type") ?? "application/octet-stream");
    assetHeaders(c, kind); // the widget's own Content-Type (with its charset) wins
    return c.body(found.body ?? "", 200);
  }

  routes.get("/widget.js", ASSET_ROUTES.widget, (c) => serve(c, "/widget.js", "widget"));
  routes.get("/widget-locales/*", ASSET_ROUTES.widgetLocale, (c) =>
    serve(c, c.req.path, "widgetLocale"),
  );
  routes.get("/console", ASSET_ROUTES.consoleRoot, (c) => c.redirect("/console/", 301));
  routes.get("/console/assets/*", ASSET_ROUTES.consoleAsset, (c) =>
    serve(c, c.req.path, "consoleAsset"),
  );
  routes.get("/console/*", ASSET_ROUTES.consolePage, (c) =>
    serve(c, "/console/index.html", "consolePage"),
  );
  return routes;
}
