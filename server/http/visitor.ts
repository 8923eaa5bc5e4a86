import { Hono } from "hono";
import { verifySiteIdentity } from "../auth/identity.ts";
import type { VisitorClaim } from "../core/threads.ts";
import { conversationForVisitor } from "../core/visibility.ts";
import { route } from "../schema/route.ts";
import {
  AfterQuery,
  CallbackAnswer,
  ContextBody,
  ConversationAnswer,
  CsatBody,
  EmailHandoffAnswer,
  EventAnswer,
  HandoffBody,
  HistoryAnswer,
  IdentifyBody,
  LinkAnswer,
  MessageBody,
  Snapshot,
  StartBody,
  stampContext,
} from "../schema/visitor.ts";
import { bearer } from "./bearer.ts";
import { enforceLimit } from "./rate-limit.ts";
import { offeredChannel, requireVisitor, type Services } from "./services.ts";
import { snapshotFor } from "./snapshot.ts";

/**
 * The visitor API of docs/architecture.md §4: start or resume, history, messages, handoff.
 *
 * @example
 * app.route("/v1", visitorRoutes(services));
 */
export function visitorRoutes(s: Services) {
  const routes = new Hono();

  routes.post(
    "/conversations",
    route({
      summary: "Start a conversation, or resume one",
      description:
        "Without a token: a new conversation (201). With `Authorization: Bearer <conversation token>` of the same site: that conversation again (200). Either way the answer carries a fresh token.",
      tag: "visitor",
      auth: "none",
      body: StartBody,
      responses: {
        201: { description: "A new conversation", schema: Snapshot },
        200: { description: "The token's conversation, resumed", schema: Snapshot },
      },
    }),
    async (c) => {
      const body = c.req.valid("json");
      const site = s.site(body.siteId);
      s.origins.check(c.req.header("origin"), site);
      const context = stampContext(body.context, new Date(s.now()).toISOString());

      // A token of this site resumes its thread; a forged or foreign one is refused outright.
      const token = bearer(c);
      const claim: VisitorClaim | null = token
        ? await s.tokens.verifyConversationToken(token, site.id)
        : null;
      if (!claim) await enforceLimit(s.store, "start", s.clientIp(c), s.limits.startPerIp);

      const { conversation, created } = await s.threads.start(site.id, claim, context);
      // The answer always carries a fresh token: every visit renews it.
      return c.json(await snapshotFor(s, conversation), created ? 201 : 200);
    },
  );

  routes.post(
    "/identify",
    route({
      summary: "Identify the visitor as the site's signed-in user",
      tag: "visitor",
      auth: "visitor",
      body: IdentifyBody,
      responses: { 200: { description: "The conversation, now the user's", schema: Snapshot } },
    }),
    async (c) => {
      const { claim, site } = await requireVisitor(s, c);
      const { jwt } = c.req.valid("json");
      const user = await verifySiteIdentity(jwt, site, { now: s.now });
      const conversation = await s.threads.identify(claim, user);
      return c.json(await snapshotFor(s, conversation));
    },
  );

  routes.patch(
    "/conversation",
    route({
      summary: "Report the visitor's context (pages, locale, attributes)",
      tag: "visitor",
      auth: "visitor",
      body: ContextBody,
      responses: { 200: { description: "The conversation", schema: ConversationAnswer } },
    }),
    async (c) => {
      const { claim } = await requireVisitor(s, c);
      const body = c.req.valid("json");
      const context = stampContext(body.context, new Date(s.now()).toISOString());
      const conversation = await s.threads.recordContext(claim.conversationId, context);
      return c.json({ conversation: conversationForVisitor(conversation) });
    },
  );

  routes.get(
    "/conversation",
    route({
      summary: "Read the conversation and its events after a seq",
      tag: "visitor",
      auth: "visitor",
      query: AfterQuery,
      responses: { 200: { description: "Events with seq > after", schema: HistoryAnswer } },
    }),
    async (c) => {
      const { claim } = await requireVisitor(s, c);
      const { after } = c.req.valid("query");
      const conversation = await s.threads.get(claim.conversationId);
      const events = await s.threads.eventsAfter(conversation.id, after, "visitor");
      return c.json({
        conversation: conversationForVisitor(conversation),
        events: await s.attachments.presentAll(events),
      });
    },
  );

  routes.post(
    "/messages",
    route({
      summary: "Send a message",
      description: "The same `clientId` again answers 200 with the stored event (same seq).",
      tag: "visitor",
      auth: "visitor",
      body: MessageBody,
      responses: {
        201: { description: "Stored", schema: EventAnswer },
        200: { description: "Already stored under this clientId", schema: EventAnswer },
      },
    }),
    async (c) => {
      const { claim } = await requireVisitor(s, c);
      const { clientId, text, attachments } = c.req.valid("json");
      await enforceLimit(
        s.store,
        "messages",
        claim.conversationId,
        s.limits.messagesPerConversation,
      );
      const { event, duplicate } = await s.threads.postVisitorMessage(claim.conversationId, {
        clientId,
        text,
        attachments: await s.attachments.forMessage(claim.conversationId, attachments),
      });
      return c.json({ event: await s.attachments.present(event) }, duplicate ? 200 : 201);
    },
  );

  /** The visitor's rating after a resolve: 1–5 and an optional comment. */
  routes.post(
    "/csat",
    route({
      summary: "Rate the conversation (1–5) after it was resolved",
      tag: "visitor",
      auth: "visitor",
      body: CsatBody,
      responses: { 201: { description: "The rating's event", schema: EventAnswer } },
    }),
    async (c) => {
      const { claim } = await requireVisitor(s, c);
      const { rating, comment } = c.req.valid("json");
      const event = await s.threads.rate(
        claim.conversationId,
        rating,
        comment?.trim() || undefined,
      );
      return c.json({ event }, 201);
    },
  );

  routes.post(
    "/handoff",
    route({
      summary: "Continue the conversation on another channel",
      description:
        'One body per `channel`: `messenger` answers a link; `email` `{ email, transcript? }` mails the thread; `callback` `{ phone, country?, window: { from, to } | "asap", timeZone, note?, email? }` requests a call.',
      tag: "visitor",
      auth: "visitor",
      body: HandoffBody,
      responses: {
        200: { description: "Messenger: the link to open (m.me)", schema: LinkAnswer },
        201: { description: "Callback: the request", schema: CallbackAnswer },
        202: { description: "Email: the transcript is on its way", schema: EmailHandoffAnswer },
      },
    }),
    async (c) => {
      const { claim, site } = await requireVisitor(s, c);
      const body = c.req.valid("json");
      const channel = offeredChannel(s, site, body.channel);
      const conversation = await s.threads.get(claim.conversationId);
      const answer = await channel.handoff(s.port, conversation, body);
      if (!answer.recorded) await s.threads.noteHandoff(conversation.id, body.channel);
      return c.json(answer.body, answer.status);
    },
  );

  return routes;
}
