import { Hono } from "hono";
import { escapeHtml } from "../html.ts";
import { route } from "../schema/route.ts";
import { VERSION } from "../version.ts";
import { openApiDocument } from "./openapi.ts";

type JsonObject = Record<string, unknown>;

/** The reference page's CSP: its own stylesheet, nothing else; not to be framed. */
const DOCS_CSP =
  "default-src 'none'; style-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const STYLE = `body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1d2230}
h1{font-size:1.6rem}h2{margin-top:2.5rem;border-bottom:1px solid #d8dbe3;text-transform:capitalize}
section{margin:1.25rem 0;padding:.75rem 1rem;border:1px solid #e2e5ec;border-radius:8px}
h3{margin:0;font-size:1rem;font-family:ui-monospace,monospace}.m{display:inline-block;min-width:4.5rem;font-weight:700}
.get{color:#0b6bcb}.post{color:#1a7f37}.patch{color:#9a6700}.delete{color:#cf222e}
pre{background:#f6f7f9;padding:.5rem .75rem;border-radius:6px;overflow:auto;font-size:13px}
table{border-collapse:collapse}td,th{padding:.15rem .6rem .15rem 0;text-align:left;vertical-align:top}
.auth{color:#5b6170;font-size:13px}`;

function renderOperation(method: string, path: string, op: JsonObject): string {
  const parameters = (op.parameters as JsonObject[]) ?? [];
  const body = (op.requestBody as { content?: Record<string, { schema?: unknown }> } | undefined)
    ?.content;
  const responses = Object.entries(op.responses as Record<string, JsonObject>).filter(
    ([status]) => !status.endsWith("XX"),
  );
  const security = (op.security as JsonObject[]).map((s) => Object.keys(s)[0]).join(", ");
  return `<section id="${escapeHtml(String(op.operationId))}">
<h3><span class="m ${method}">${method.toUpperCase()}</span>${escapeHtml(path)}</h3>
<p>${escapeHtml(String(op.summary))}${op.description ? `: ${escapeHtml(String(op.description))}` : ""}</p>
<p class="auth">${security ? `Authorization: ${escapeHtml(security)}` : "No token"}</p>
${
  parameters.length
    ? `<table><tr><th>parameter</th><th>in</th><th>schema</th><th></th></tr>${parameters
        .map(
          (p) =>
            `<tr><td><code>${escapeHtml(String(p.name))}</code>${p.required ? " *" : ""}</td><td>${escapeHtml(String(p.in))}</td><td><code>${escapeHtml(JSON.stringify(p.schema))}</code></td><td>${escapeHtml(String(p.description ?? ""))}</td></tr>`,
        )
        .join("")}</table>`
    : ""
}
${
  body
    ? Object.entries(body)
        .map(
          ([type, content]) =>
            `<p>Body (<code>${escapeHtml(type)}</code>):</p><pre>${escapeHtml(JSON.stringify(content.schema, null, 2))}</pre>`,
        )
        .join("")
    : ""
}
<p>${responses.map(([status, r]) => `<b>${escapeHtml(status)}</b> ${escapeHtml(String(r.description))}`).join(" · ")} · <b>4xx/5xx</b> <code>{ error: { code, message } }</code></p>
</section>`;
}

/** The whole reference, grouped by tag, as one static page. */
function renderReference(document: JsonObject): string {
  const paths = document.paths as Record<string, Record<string, JsonObject>>;
  const tags = document.tags as { name: string; description: string }[];
  const groups = tags.map((tag) => {
    const operations = Object.entries(paths).flatMap(([path, methods]) =>
      Object.entries(methods)
        .filter(([, op]) => (op.tags as string[]).includes(tag.name))
        .map(([method, op]) => renderOperation(method, path, op)),
    );
    return operations.length
      ? `<h2>${escapeHtml(tag.name)}</h2><p>${escapeHtml(tag.description)}</p>${operations.join("\n")}`
      : "";
  });
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>omnithread API reference</title><link rel="stylesheet" href="/docs/style.css"></head>
<body><h1>omnithread API reference <small>${escapeHtml(VERSION)}</small></h1>
<p>Generated from the schemas that validate each request. The same document as JSON:
<a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1).</p>
${groups.join("\n")}</body></html>`;
}

/**
 * `GET /openapi.json` (the document) and `GET /docs` (a rendered reference), both made from the
 * app's routes when first asked for (routes mounted after this one are in it too).
 *
 * @example
 * app.route("/", docsRoutes(app, config.publicUrl));
 */
export function docsRoutes(app: Hono, serverUrl: string) {
  const routes = new Hono();
  let cached: { count: number; document: JsonObject; page: string } | null = null;
  const current = () => {
    if (cached?.count !== app.routes.length) {
      const document = openApiDocument(app, { version: VERSION, serverUrl });
      cached = { count: app.routes.length, document, page: renderReference(document) };
    }
    return cached;
  };
  routes.get(
    "/openapi.json",
    route({
      summary: "This API as an OpenAPI 3.1 document",
      tag: "operation",
      auth: "none",
      responses: { 200: "The document" },
    }),
    (c) => {
      c.header("Cache-Control", "public, max-age=300");
      c.header("Access-Control-Allow-Origin", "*");
      return c.json(current().document);
    },
  );
  routes.get(
    "/docs",
    route({
      summary: "The API reference, rendered",
      tag: "operation",
      auth: "none",
      responses: { 200: { description: "The reference page", mediaType: "text/html" } },
    }),
    (c) => {
      c.header("Content-Security-Policy", DOCS_CSP);
      return c.html(current().page);
    },
  );
  routes.get(
    "/docs/style.css",
    route({
      summary: "The reference page's stylesheet",
      tag: "operation",
      auth: "none",
      responses: { 200: { description: "CSS", mediaType: "text/css" } },
    }),
    (c) => {
      c.header("Content-Type", "text/css; charset=utf-8");
      c.header("Cache-Control", "public, max-age=3600");
      return c.body(STYLE);
    },
  );
  return routes;
}
