import type { Context } from "hono";
import { route } from "../schema/route.ts";

/**
 * How the built assets are served, whatever serves them (the Node entry from the filesystem,
 * the edge worker from its static-assets binding): one set of headers for both.
 */

/** The strict policy the demo's CSP page is served with: the widget must work under it. */
export const DEMO_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self' ws: wss:";

/** The console runs only its own files and talks only to this server. */
export const CONSOLE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self' ws: wss:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/** Response headers per kind of asset. */
export const ASSET_HEADERS = {
  /** `/widget.js`: what site owners' script tags load; a new build reaches pages within minutes. */
  widget: {
    "Content-Type": "text/javascript; charset=utf-8",
    "Cache-Control": "public, max-age=300",
  },
  /**
   * `/widget-locales/<lc>.<version>.json`: public strings the widget fetches from the host page's
   * origin once opened; versioned by name, so cached for good.
   */
  widgetLocale: {
    "Content-Type": "application/json; charset=utf-8",
    "Cache-Control": "public, max-age=31536000, immutable",
    "Access-Control-Allow-Origin": "*",
  },
  /** The console's hashed files: a new build is a new URL, so these never need revalidating. */
  consoleAsset: { "Cache-Control": "public, max-age=31536000, immutable" },
  /** The console's page, for every path under `/console/` (client routing). */
  consolePage: {
    "Cache-Control": "no-cache",
    "Content-Security-Policy": CONSOLE_CSP,
    "Referrer-Policy": "no-referrer",
  },
} as const satisfies Record<string, Record<string, string>>;

/**
 * Sets the headers of one kind of asset on the response being built.
 *
 * @example
 * assetHeaders(c, "widget");
 * return c.body(script);
 */
export function assetHeaders(c: Context, kind: keyof typeof ASSET_HEADERS): void {
  for (const [name, value] of Object.entries(ASSET_HEADERS[kind])) c.header(name, value);
}

const asset = (summary: string, mediaType: string, description?: string) =>
  route({
    summary,
    ...(description ? { description } : {}),
    tag: "assets",
    auth: "none",
    responses: { 200: { description: summary, mediaType }, 301: "To the path with a slash" },
  });

/** The assets' contracts (for `/openapi.json`), one per route, whatever serves the files. */
export const ASSET_ROUTES = {
  widget: asset(
    "The widget's script",
    "text/javascript",
    'What a site\'s `<script src=".../widget.js" data-site="...">` tag loads.',
  ),
  widgetLocale: asset(
    "One of the widget's locale packs",
    "application/json",
    "`/widget-locales/<locale>.<version>.json`: fetched by the widget once opened, from any origin.",
  ),
  consoleRoot: asset("The agent console (redirects to `/console/`)", "text/html"),
  consoleAsset: asset("One of the console's hashed files", "application/octet-stream"),
  consolePage: asset(
    "The agent console's page",
    "text/html",
    "Every path under `/console/` answers the page, which routes on the client.",
  ),
};
