import type { Hono } from "hono";
import * as v from "valibot";
import { sameSecret } from "../../auth/bytes.ts";
import { errorBody } from "../../errors.ts";
import { loose, text } from "../../schema/fields.ts";
import { route } from "../../schema/route.ts";

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
