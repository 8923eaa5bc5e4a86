import { Hono } from "hono";
import { AuditAnswer, DeliveriesAnswer, FeedAnswer, LogQuery } from "../schema/feed.ts";
import { route } from "../schema/route.ts";
import type { SiteLog } from "../store/types.ts";
import { agentOnly, type Services } from "./services.ts";

/**
 * The site's event feed and webhook delivery log, for its CRM (an API key of scope `webhooks`)
 * or an agent: what a receiver that was down reads to catch up, without a gap. And the audit
 * log, for the team (scope `agent`).
 *
 * @example
 * app.route("/v1/agent", feedRoutes(services));
 */
export function feedRoutes(s: Services) {
  const routes = new Hono();
  const signedIn = agentOnly(s, "webhooks");

  /** A page of a site log: each item's body with its cursor, and the cursor to go on from. */
  async function page(siteId: string, log: SiteLog, query: { after?: string; limit: number }) {
    const items = await s.store.readLog(siteId, log, query.after, query.limit);
    return {
      items: await Promise.all(
        items.map(async (item) => {
          const body = JSON.parse(item.body);
          // A message's files get their links as the feed is read (they expire).
          if (body.event?.attachments) body.event = await s.attachments.present(body.event);
          return { cursor: item.cursor, ...body };
        }),
      ),
      next: items.at(-1)?.cursor ?? query.after ?? "0-0",
    };
  }

  routes.get(
    "/events",
    signedIn,
    route({
      summary: "The site's event feed",
      description:
        "The same items as the webhooks, in one order for the site, kept 7 days. Ask again with `after=<next>` to go on; an empty page means nothing new yet.",
      tag: "agent",
      auth: "agent",
      query: LogQuery,
      responses: {
        200: { description: "Items after the cursor, oldest first", schema: FeedAnswer },
      },
    }),
    async (c) => {
      const { items, next } = await page(c.var.agent.siteId, "feed", c.req.valid("query"));
      return c.json({ events: items, next });
    },
  );

  routes.get(
    "/webhooks/deliveries",
    signedIn,
    route({
      summary: "Webhook delivery attempts",
      description: "Every attempt to each of the site's endpoints, kept 7 days, oldest first.",
      tag: "agent",
      auth: "agent",
      query: LogQuery,
      responses: {
        200: { description: "Attempts after the cursor", schema: DeliveriesAnswer },
      },
    }),
    async (c) => {
      const { items, next } = await page(c.var.agent.siteId, "deliveries", c.req.valid("query"));
      return c.json({ deliveries: items, next });
    },
  );

  routes.get(
    "/audit",
    agentOnly(s),
    route({
      summary: "The audit log",
      description:
        "Who (an agent, or an API key) assigned, resolved or reopened a conversation, changed a contact's attributes, exported or erased a contact, and when; kept 7 days, oldest first.",
      tag: "agent",
      auth: "agent",
      query: LogQuery,
      responses: { 200: { description: "Entries after the cursor", schema: AuditAnswer } },
    }),
    async (c) => {
      const { items, next } = await page(c.var.agent.siteId, "audit", c.req.valid("query"));
      return c.json({ entries: items, next });
    },
  );

  return routes;
}
