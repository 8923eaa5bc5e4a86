/**
 * A route's contract in one place: its schemas validate the request, and the same object
 * documents it in the OpenAPI document (`server/http/openapi.ts` walks the app's routes and reads
 * what each `route()` middleware carries), so the two cannot drift.
 */
import type { Context, Env, MiddlewareHandler } from "hono";
import type * as v from "valibot";
import { AppError } from "../errors.ts";
import { requireBearer } from "../http/bearer.ts";
import { readJson } from "../http/body.ts";
import { parseWith, type Schema } from "./check.ts";

/** Who may call a route, as the OpenAPI document's security says. */
export type RouteAuth = "none" | "visitor" | "agent" | "signature" | "secret";

/** One response a route gives: its description, and its body's schema when it is JSON. */
export interface ResponseDoc {
  description: string;
  schema?: Schema;
  /** A body that is not JSON (an HTML page, a script, an event stream). */
  mediaType?: string;
}

export interface RouteDoc<B extends Schema | undefined, Q extends Schema | undefined> {
  summary: string;
  description?: string;
  /** The README's grouping: visitor, agent, webhooks, live, assets, operation. */
  tag: string;
  auth: RouteAuth;
  /** A JSON body, validated before the handler runs. */
  body?: B;
  /**
   * A body the handler reads itself: raw MIME, a form, or JSON that must stay bytes until its
   * signature is checked. By its media type, and the schema the handler reads it with, if any.
   */
  rawBody?: string | { mediaType: string; schema?: Schema };
  query?: Q;
  /** Path parameters (`:id`), each described. */
  params?: Record<string, string>;
  /** The success answers; the JSON error answers are added for every route. */
  responses: Record<number, ResponseDoc | string>;
}

type Out<S> = S extends Schema ? v.InferOutput<S> : never;
type In<S> = S extends Schema ? v.InferInput<S> : never;

/** What `c.req.valid()` gives a handler behind `route()`. */
type Validated<B, Q> = {
  in: (B extends Schema ? { json: In<B> } : object) &
    (Q extends Schema ? { query: In<Q> } : object);
  out: (B extends Schema ? { json: Out<B> } : object) &
    (Q extends Schema ? { query: Out<Q> } : object);
};

export const ROUTE_DOC = Symbol.for("omnithread.route");

/** A `route()` middleware, with the contract it carries. */
export type DocumentedHandler = MiddlewareHandler & {
  [ROUTE_DOC]: RouteDoc<Schema | undefined, Schema | undefined>;
};

const refuse = (message: string): never => {
  throw new AppError("bad_request", message);
};

/**
 * Validates a request's JSON body and query by their schemas and documents the route. Handlers
 * read the typed values with `c.req.valid("json")` and `c.req.valid("query")`.
 *
 * @example
 * routes.post("/messages", route({ summary: "Send a message", tag: "visitor", auth: "visitor",
 *   body: MessageBody, responses: { 201: "Stored" } }), (c) => c.json(c.req.valid("json")));
 */
export function route<
  B extends Schema | undefined = undefined,
  Q extends Schema | undefined = undefined,
  E extends Env = Env,
  P extends string = string,
>(doc: RouteDoc<B, Q>): MiddlewareHandler<E, P, Validated<B, Q>> {
  const handler = async (c: Context, next: () => Promise<void>) => {
    // No token, no reading: the handler verifies the token; here only its absence is told.
    if (doc.auth === "visitor" || doc.auth === "agent") requireBearer(c, doc.auth);
    if (doc.query) {
      c.req.addValidatedData(
        "query",
        parseWith(doc.query, c.req.query(), refuse, "The query") as object,
      );
    }
    if (doc.body)
      c.req.addValidatedData("json", parseWith(doc.body, await readJson(c), refuse) as object);
    await next();
  };
  return Object.assign(handler, { [ROUTE_DOC]: doc }) as unknown as MiddlewareHandler<
    E,
    P,
    Validated<B, Q>
  >;
}

/** The contract a handler carries, if it is a `route()` middleware. */
export function routeDoc(handler: unknown): DocumentedHandler[typeof ROUTE_DOC] | undefined {
  return (handler as Partial<DocumentedHandler> | null)?.[ROUTE_DOC];
}
