/**
 * Every route driven from its own schema: the OpenAPI document the server makes from the schemas
 * that validate each route is read back, and fast-check makes requests from it. A request the
 * schema accepts must never be refused as a bad request (400); one it refuses must answer a 4xx
 * with the JSON error; nothing may answer 5xx. The document is the server's own, so a route added
 * with a schema is fuzzed without a line here.
 */
import { createHmac } from "node:crypto";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_MESSENGER } from "../../server/node/messenger-simulator/index.ts";
import { invalid, invalidQuery, type JsonSchema, valid } from "../helpers/arbitrary.ts";
import { api, startTestServer } from "../helpers/omnithread.ts";

const RUNS = 12;
const INBOUND_SECRET = "fuzz-inbound-secret-0123456789";
const roomy = { limit: 1_000_000, windowMs: 60_000 };

interface Parameter {
  name: string;
  in: "path" | "query";
  required: boolean;
  schema: JsonSchema;
}
interface Operation {
  tags: string[];
  /** What the query's parameters must do together (`exactly one of …`). */
  "x-query-rules"?: Pick<JsonSchema, "anyOf" | "oneOf">;
  security: Record<string, string[]>[];
  parameters: Parameter[];
  requestBody?: { content: Record<string, { schema: JsonSchema }> };
}
interface Document {
  paths: Record<string, Record<string, Operation>>;
}

const server = await startTestServer(
  { EMAIL_INBOUND_SECRET: INBOUND_SECRET },
  {
    startPerIp: roomy,
    requestsPerIp: roomy,
    loginPerIp: roomy,
    messagesPerConversation: roomy,
    callbacksPerConversation: roomy,
  },
  { messengerSimulator: true, mailSimulator: true },
);
const document = (await api<Document>(server.url, "/openapi.json")).body;
afterAll(() => server.stop());

/** What a caller of each security scheme sends, and what fills each path parameter. */
const credentials: Record<string, string> = {};
const pathValues: Record<string, string> = { path: "fuzz" };
beforeAll(async () => {
  const start = await api<{ token: string; conversation: { id: string } }>(
    server.url,
    "/v1/conversations",
    { body: { siteId: "demo" }, headers: { origin: server.url } },
  );
  credentials.conversationToken = start.body.token;
  pathValues.id = start.body.conversation.id;
  const login = await api<{ token: string }>(server.url, "/v1/agent/login", {
    body: { email: "agent@example.com", password: "omnithread-demo" },
  });
  credentials.agentToken = login.body.token;
  credentials.inboundSecret = INBOUND_SECRET;
});

/** The operations that take input: a JSON body, or parameters in the query. */
const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
  Object.entries(methods)
    .map(([method, operation]) => ({ method: method.toUpperCase(), path, operation }))
    .filter(
      ({ operation }) =>
        operation.requestBody?.content["application/json"] ||
        operation.parameters.some((p) => p.in === "query"),
    ),
);

interface Call {
  query: Record<string, unknown>;
  body?: unknown;
}

async function send(
  { method, path, operation }: (typeof operations)[number],
  call: Call,
): Promise<{ status: number; body: unknown }> {
  const url = new URL(
    server.url + path.replace(/\{(\w+)\}/g, (_m, name: string) => pathValues[name] ?? "unknown"),
  );
  for (const [key, value] of Object.entries(call.query)) {
    if (value !== undefined) url.searchParams.set(key, String(value));
  }
  // Every route is called as its rightful caller: the schema is what is under test.
  const headers: Record<string, string> = { origin: server.url };
  const scheme = Object.keys(operation.security[0] ?? {})[0];
  if (scheme) headers.authorization = `Bearer ${credentials[scheme]}`;
  let body: string | undefined;
  if (call.body !== undefined) {
    body = JSON.stringify(call.body);
    headers["content-type"] = "application/json";
    // Meta signs its webhook calls with the app's secret.
    headers["x-hub-signature-256"] =
      `sha256=${createHmac("sha256", DEMO_MESSENGER.appSecret).update(body).digest("hex")}`;
  }
  const res = await fetch(url, { method, headers, ...(body !== undefined ? { body } : {}) });
  if (res.headers.get("content-type")?.startsWith("text/event-stream")) {
    await res.body?.cancel(); // a live stream: its status says all
    return { status: res.status, body: "" };
  }
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {}
  return { status: res.status, body: parsed };
}

function queryOf(operation: Operation): JsonSchema {
  const query = operation.parameters.filter((p) => p.in === "query");
  return {
    type: "object",
    properties: Object.fromEntries(query.map((p) => [p.name, p.schema])),
    required: query.filter((p) => p.required).map((p) => p.name),
    ...operation["x-query-rules"],
  };
}

const bodyOf = (operation: Operation) => operation.requestBody?.content["application/json"]?.schema;

/**
 * 400s that are not about the input's shape but about the site and the clock, which no schema can
 * say: a handoff to a channel the site has not configured (its own code, README "Errors"); the
 * callback window's rules, which hang on the clock and the site's hours
 * (`server/core/callback-hours.ts`); an assignee who is not one of the site's agents.
 */
const SEMANTIC_CODES = ["channel_not_configured"];
const SEMANTIC_RULES = [/^"window(\.to)?"[: ]/, /^"assignee" must be an agent of this site$/];

function semantic(body: unknown): boolean {
  const error = (body as { error?: { code?: string; message?: string } }).error;
  if (SEMANTIC_CODES.includes(error?.code ?? "")) return true;
  const message = error?.message ?? "";
  return error?.code === "bad_request" && SEMANTIC_RULES.some((rule) => rule.test(message));
}

const isJsonError = (body: unknown) =>
  typeof body === "object" &&
  body !== null &&
  typeof (body as { error?: { code?: unknown } }).error?.code === "string" &&
  typeof (body as { error: { message?: unknown } }).error.message === "string";

describe.each(operations)("$method $path", (op) => {
  const query = queryOf(op.operation);
  const body = bodyOf(op.operation);
  const validCall = fc.record({
    query: valid(query) as fc.Arbitrary<Record<string, unknown>>,
    ...(body ? { body: valid(body) } : {}),
  });

  it("never refuses what its schema accepts as a bad request, and never fails", async () => {
    await fc.assert(
      fc.asyncProperty(validCall, async (call) => {
        const answer = await send(op, call);
        const seen = JSON.stringify({ call, answer });
        expect(answer.status, seen).toBeLessThan(500);
        if (answer.status === 400) expect(semantic(answer.body), seen).toBe(true);
      }),
      { numRuns: RUNS },
    );
  }, 60_000);

  const webhook = op.operation.tags.includes("webhooks");
  const broken = [invalidQuery(query), body ? invalid(body) : null];
  // A route whose every input is optional free text cannot be sent a wrong one.
  if (!broken.some(Boolean)) return;
  it("answers what its schema refuses with a 4xx JSON error", async () => {
    const [badQuery, badBody] = broken;
    const calls: fc.Arbitrary<Call>[] = [];
    if (badQuery) {
      calls.push(
        fc.record({
          query: badQuery,
          ...(body ? { body: valid(body) } : {}),
        }),
      );
    }
    // A webhook's sender retries what is refused (and Meta disables a webhook that keeps failing),
    // so inside a well-formed payload a field of the wrong type is read as absent and the call
    // acknowledged: only a body that is not an object at all is refused there.
    if (badBody && !webhook) {
      calls.push(fc.record({ query: valid(query) as fc.Arbitrary<Call["query"]>, body: badBody }));
    }
    if (badBody) {
      calls.push(
        fc.record({
          query: valid(query) as fc.Arbitrary<Call["query"]>,
          body: fc.constantFrom([], "text", 3, null, [{ a: 1 }]),
        }),
      );
    }
    await fc.assert(
      fc.asyncProperty(fc.oneof(...calls), async (call) => {
        const answer = await send(op, call);
        const seen = JSON.stringify({ call, answer });
        expect(answer.status, seen).toBeGreaterThanOrEqual(400);
        expect(answer.status, seen).toBeLessThan(500);
        expect(isJsonError(answer.body), seen).toBe(true);
      }),
      { numRuns: RUNS },
    );
  }, 60_000);
});

it("finds the routes to drive in the document", () => {
  const names = operations.map((o) => `${o.method} ${o.path}`);
  expect(names).toEqual(expect.arrayContaining(["POST /v1/messages", "POST /v1/conversations"]));
});

const webhookPayloads = operations.filter(
  (op) => op.operation.tags.includes("webhooks") && bodyOf(op.operation),
);

describe.each(webhookPayloads)("$method $path, a webhook", (op) => {
  const body = bodyOf(op.operation);
  const odd = body ? invalid(body) : null;
  if (!odd) return;
  it("acknowledges a payload with odd fields, never failing", async () => {
    await fc.assert(
      fc.asyncProperty(odd, async (payload) => {
        const answer = await send(op, { query: {}, body: payload });
        const seen = JSON.stringify({ payload, answer });
        expect(answer.status, seen).toBeLessThan(500);
        if (answer.status >= 400) expect(isJsonError(answer.body), seen).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });
});
