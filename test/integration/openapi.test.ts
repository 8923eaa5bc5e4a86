/**
 * The OpenAPI document is made from the routes the app mounts and the schemas that validate
 * them: it must be a valid OpenAPI 3.1 document, and it must not miss a route.
 */
import { Validator } from "@seriousme/openapi-schema-validator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { undocumentedRoutes } from "../../server/http/openapi.ts";
import type { RunningServer } from "../../server/node.ts";
import { api, startTestServer } from "../helpers/omnithread.ts";

interface Operation {
  security?: unknown;
  requestBody?: {
    content: Record<
      string,
      { schema: { required?: string[]; properties: Record<string, unknown> } }
    >;
  };
  responses: Record<string, unknown>;
}

let server: RunningServer;
beforeAll(async () => {
  server = await startTestServer({}, undefined, { messengerSimulator: true, mailSimulator: true });
});
afterAll(() => server?.stop());

describe("GET /openapi.json", () => {
  it("is a valid OpenAPI 3.1 document", async () => {
    const { status, body } = await api<Record<string, unknown>>(server.url, "/openapi.json");
    expect(status).toBe(200);
    const validator = new Validator();
    const result = await validator.validate(body);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
  });

  it("documents the visitor's message with the schema the server checks it against", async () => {
    const { body } = await api<{ paths: Record<string, Record<string, Operation>> }>(
      server.url,
      "/openapi.json",
    );
    const send = body.paths["/v1/messages"]?.post;
    expect(send?.security).toEqual([{ conversationToken: [] }]);
    const schema = send?.requestBody?.content["application/json"]?.schema;
    expect(schema?.required).toEqual(expect.arrayContaining(["clientId"]));
    expect(schema?.properties.text).toMatchObject({ type: "string", maxLength: 4000 });
    expect(send?.responses["4XX"]).toEqual({ $ref: "#/components/responses/Error" });
  });
});

describe("the document's coverage", () => {
  it("documents every route the Node server mounts, the demo's included", () => {
    expect(undocumentedRoutes(server.app)).toEqual([]);
  });
});

describe("GET /docs", () => {
  it("renders the reference under a CSP that allows its own stylesheet only", async () => {
    const res = await fetch(`${server.url}/docs`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
    const page = await res.text();
    expect(page).toContain("POST</span>/v1/messages");
    expect(page).toContain('href="/openapi.json"');
    expect((await fetch(`${server.url}/docs/style.css`)).headers.get("content-type")).toContain(
      "text/css",
    );
  });
});
