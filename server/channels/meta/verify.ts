import type { Context, Hono } from "hono";
import * as v from "valibot";
import { sameSecret } from "../../auth/bytes.ts";
import { errorBody } from "../../errors.ts";
import { loose, text } from "../../schema/fields.ts";
import { type RouteDoc, route } from "../../schema/route.ts";
import { webhookBodyLimit } from "../messaging-app.ts";
import { SIGNATURE_HEADER, signersOf, UNSIGNED } from "./signature.ts";

/** `GET /webhooks/<channel>?hub.mode=subscribe&hub.verify_token=…&hub.challenge=…`. */
export const VerifyQuery = loose({
  "hub.mode": v.optional(v.pipe(v.string(), v.description('Always "subscribe"'))),
  "hub.verify_token": v.optional(
    v.pipe(v.string(), v.description("A site's verify token for this channel")),
  ),
  "hub.challenge": v.pipe(
    text(1, 512),
    v.description("Echoed back as the body; Meta's are short numbers"),
  ),
});

/**
 * Meta's subscription check on `GET /` of a channel's webhook routes: `hub.verify_token` must be
 * one of the sites' tokens (compared in constant time), and the answer is `hub.challenge` as
 * plain text; anything else is 403.
 *
 * @example
 * verifyRoute(routes, "Messenger", "messenger.verifyToken", () => sites().map((s) => s.messenger.verifyToken));
 */
export function verifyRoute(
  routes: Hono,
  product: string,
  setting: string,
  tokens: () => string[],
): void {
  routes.get(
    "/",
    route({
      summary: "Verify the webhook (Meta's subscription check)",
      description: `Meta calls this once when the ${product} webhook is set up: \`hub.verify_token\` must be a site's \`${setting}\`, and the answer is \`hub.challenge\` as plain text.`,
      tag: "webhooks",
      auth: "none",
      query: VerifyQuery,
      responses: {
        200: { description: "The challenge, echoed", mediaType: "text/plain" },
      },
    }),
    async (c) => {
      const query = c.req.valid("query");
      const token = query["hub.verify_token"] ?? "";
      let known = false;
      for (const candidate of tokens()) {
        if (await sameSecret(token, candidate)) known = true;
      }
      if (query["hub.mode"] !== "subscribe" || !known) {
        return c.json(errorBody("forbidden", "hub.verify_token does not match"), 403);
      }
      c.header("Cache-Control", "no-store");
      c.header("X-Content-Type-Options", "nosniff");
      return c.text(query["hub.challenge"]);
    },
  );
}

/**
 * Meta's signed POST on `/` of a channel's webhook routes: the body at most 1 MB, its
 * `X-Hub-Signature-256` checked against each configured app secret before anything is parsed
 * (401 when none signed it), then `handle` with the raw bytes and the secrets that signed them:
 * the body names its page or number only once it is parsed, and an entry is to be taken only for
 * a site whose secret is among them.
 *
 * @example
 * signedPost(routes, doc, () => sites().map((s) => s.whatsapp.appSecret), async (c, raw, signedBy) => c.json({ ok: true }));
 */
export function signedPost(
  routes: Hono,
  doc: Omit<RouteDoc<undefined, undefined>, "tag" | "auth">,
  secrets: () => string[],
  handle: (c: Context, raw: Uint8Array, signedBy: Set<string>) => Promise<Response>,
): void {
  routes.post(
    "/",
    route({ ...doc, tag: "webhooks", auth: "signature" }),
    webhookBodyLimit,
    async (c) => {
      const raw = new Uint8Array(await c.req.arrayBuffer());
      const signedBy = await signersOf(c.req.header(SIGNATURE_HEADER), raw, secrets());
      if (signedBy.size === 0) return c.json(errorBody("unauthorized", UNSIGNED), 401);
      return handle(c, raw, signedBy);
    },
  );
}
