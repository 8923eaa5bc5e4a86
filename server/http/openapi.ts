/**
 * The OpenAPI 3.1 document of every route the app mounts, made from the routes themselves: each
 * route's `route()` middleware carries its summary and the schemas that validate its input
 * (server/schema/route.ts), so the document says what the server checks, and nothing else.
 */
import { toJsonSchema } from "@valibot/to-json-schema";
import type { Hono } from "hono";
import type { Schema } from "../schema/check.ts";
import { CONTENT_SCHEMAS } from "../schema/fields.ts";
import { type RouteAuth, type RouteDoc, routeDoc } from "../schema/route.ts";

type JsonObject = Record<string, unknown>;

/** A route the app answers: its method and Hono path. */
export interface MountedRoute {
  method: string;
  path: string;
}

/** How a schema reads in the document: JSON Schema 2020-12, as OpenAPI 3.1 has it. */
export function jsonSchema(schema: Schema): JsonObject {
  // Checks JSON Schema cannot say (a trimmed text that is not empty) are left to the prose.
  const { $schema, ...rest } = toJsonSchema(schema, {
    target: "draft-2020-12",
    errorMode: "ignore",
    // A message needs words or files: the one rule across fields a body has.
    overrideSchema: ({ valibotSchema, jsonSchema }) =>
      CONTENT_SCHEMAS.has(valibotSchema)
        ? { ...jsonSchema, anyOf: [{ required: ["text"] }, { required: ["attachments"] }] }
        : undefined,
  }) as JsonObject;
  return rest;
}

/** Hono's `/conversations/:id` and `/console/*` as OpenAPI's `/conversations/{id}` and `{path}`. */
export function openApiPath(path: string): { path: string; params: string[] } {
  const params: string[] = [];
  const converted = path
    .split("/")
    .map((part) => {
      if (part.startsWith(":")) {
        const name = part.slice(1).replace(/\{.*\}$/, "");
        params.push(name);
        return `{${name}}`;
      }
      if (part === "*") {
        params.push("path");
        return "{path}";
      }
      return part;
    })
    .join("/");
  return { path: converted, params };
}

const SECURITY: Record<RouteAuth, JsonObject[]> = {
  none: [],
  visitor: [{ conversationToken: [] }],
  agent: [{ agentToken: [] }],
  secret: [{ inboundSecret: [] }],
  // Checked over the raw body by the route itself (the channel's own scheme).
  signature: [],
};

const ERROR_BODY: JsonObject = {
  type: "object",
  required: ["error"],
  properties: {
    error: {
      type: "object",
      required: ["code", "message"],
      properties: {
        code: { type: "string", description: "A stable code, e.g. bad_request, not_found" },
        message: { type: "string", description: "What went wrong, naming the field" },
      },
    },
  },
};

function queryParameters(query: Schema | undefined): JsonObject[] {
  if (!query) return [];
  const schema = jsonSchema(query);
  const properties = (schema.properties ?? {}) as Record<string, JsonObject>;
  const required = new Set((schema.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => ({
    name,
    in: "query",
    required: required.has(name),
    schema: property,
    ...(typeof property.description === "string" ? { description: property.description } : {}),
  }));
}

/** A body the handler reads itself: its schema when it has one, else bytes of its media type. */
function rawContent(raw: NonNullable<RouteDoc<undefined, undefined>["rawBody"]>): JsonObject {
  const { mediaType, schema } =
    typeof raw === "string" ? { mediaType: raw, schema: undefined } : raw;
  return {
    [mediaType]: {
      schema: schema ? jsonSchema(schema) : { type: "string", contentMediaType: mediaType },
    },
  };
}

/**
 * What a query's parameters must do together (`exactly one of email, userId …`), which OpenAPI's
 * one-by-one parameters cannot say: kept as the extension `x-query-rules` (JSON Schema).
 */
function queryRules(query: Schema | undefined): JsonObject {
  if (!query) return {};
  const { anyOf, oneOf } = jsonSchema(query);
  const rules = { ...(anyOf ? { anyOf } : {}), ...(oneOf ? { oneOf } : {}) };
  return Object.keys(rules).length > 0 ? { "x-query-rules": rules } : {};
}

function operation(
  method: string,
  path: string,
  doc: RouteDoc<Schema | undefined, Schema | undefined>,
  params: string[],
): JsonObject {
  const responses: JsonObject = {};
  for (const [status, answer] of Object.entries(doc.responses)) {
    const { description, schema, mediaType } =
      typeof answer === "string"
        ? { description: answer, schema: undefined, mediaType: undefined }
        : answer;
    responses[status] = {
      description,
      ...(schema || mediaType
        ? {
            content: {
              [mediaType ?? "application/json"]: { schema: schema ? jsonSchema(schema) : {} },
            },
          }
        : {}),
    };
  }
  responses["4XX"] = { $ref: "#/components/responses/Error" };
  responses["5XX"] = { $ref: "#/components/responses/Error" };
  return {
    operationId: `${method.toLowerCase()}${path.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ?? "").toUpperCase())}`,
    summary: doc.summary,
    ...(doc.description ? { description: doc.description } : {}),
    tags: [doc.tag],
    security: SECURITY[doc.auth],
    parameters: [
      ...params.map((name) => ({
        name,
        in: "path",
        required: true,
        schema: { type: "string" },
        ...(doc.params?.[name] ? { description: doc.params[name] } : {}),
      })),
      ...queryParameters(doc.query),
    ],
    ...queryRules(doc.query),
    ...(doc.body
      ? {
          requestBody: {
            required: true,
            content: { "application/json": { schema: jsonSchema(doc.body) } },
          },
        }
      : doc.rawBody
        ? { requestBody: { required: true, content: rawContent(doc.rawBody) } }
        : {}),
    responses,
  };
}

/** Every method route of the app (middleware registered with `use` is not a route). */
export function mountedRoutes(app: Hono): MountedRoute[] {
  const seen = new Set<string>();
  const routes: MountedRoute[] = [];
  for (const { method, path } of app.routes) {
    const key = `${method} ${path}`;
    if (method === "ALL" || seen.has(key)) continue;
    seen.add(key);
    routes.push({ method, path });
  }
  return routes;
}

/** The routes the app mounts that carry no `route()` contract: the document would miss them. */
export function undocumentedRoutes(app: Hono): MountedRoute[] {
  const documented = new Set(
    app.routes.filter((r) => routeDoc(r.handler)).map((r) => `${r.method} ${r.path}`),
  );
  return mountedRoutes(app).filter((r) => !documented.has(`${r.method} ${r.path}`));
}

/**
 * The OpenAPI 3.1 document of `app`'s documented routes.
 *
 * @example
 * app.get("/openapi.json", (c) => c.json(openApiDocument(app, { version: "0.1.0", serverUrl })));
 */
export function openApiDocument(
  app: Hono,
  info: { version: string; serverUrl: string },
): JsonObject {
  const paths: Record<string, JsonObject> = {};
  for (const { method, path, handler } of app.routes) {
    const doc = routeDoc(handler);
    if (!doc || method === "ALL") continue;
    const converted = openApiPath(path);
    paths[converted.path] ??= {};
    paths[converted.path]![method.toLowerCase()] = operation(
      method,
      converted.path,
      doc,
      converted.params,
    );
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "omnithread",
      version: info.version,
      description:
        "One conversation thread across website chat, Messenger, email and callbacks. Errors are always `{ error: { code, message } }`.",
      license: { name: "MIT", identifier: "MIT" },
    },
    servers: [{ url: info.serverUrl }],
    tags: [
      { name: "visitor", description: "The visitor's thread: what the widget and the SDK call" },
      { name: "live", description: "Live delivery: WebSocket and Server-Sent Events" },
      { name: "agent", description: "The agent console's API" },
      { name: "webhooks", description: "What outside services call" },
      { name: "operation", description: "Health, readiness, keys, this document" },
      { name: "assets", description: "The widget and the console" },
      { name: "demo", description: "The demo's pages and simulators: Node, local runs only" },
    ],
    paths,
    components: {
      securitySchemes: {
        conversationToken: {
          type: "http",
          scheme: "bearer",
          bearerFormat: "JWT",
          description: "The visitor's conversation token (from POST /v1/conversations)",
        },
        agentToken: {
          type: "http",
          scheme: "bearer",
          bearerFormat: "JWT",
          description:
            "An agent token (POST /v1/agent/login), or a site's API key (`ot_sk_…`, scope `agent`) from a server: a call with an Origin is refused",
        },
        inboundSecret: {
          type: "http",
          scheme: "bearer",
          description: "EMAIL_INBOUND_SECRET, for the raw and Postmark inbound webhooks",
        },
      },
      schemas: { Error: ERROR_BODY },
      responses: {
        Error: {
          description: "A refusal or failure, with its stable code",
          content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
        },
      },
    },
  };
}
