import { Hono } from "hono";
import { callbackRules } from "../core/callback-hours.ts";
import { callbackForVisitor } from "../core/callbacks.ts";
import {
  AgentCallbackAnswer,
  AgentCallbacksAnswer,
  CallbacksQuery,
  ReplyAnswer,
  UpdateCallbackBody,
} from "../schema/agent.ts";
import { route } from "../schema/route.ts";
import { CallbackAnswer, CallbacksAnswer, CallbackWindowsAnswer } from "../schema/visitor.ts";
import { replyToVisitor } from "./reply.ts";
import { agentOnly, offeredChannel, requireVisitor, type Services } from "./services.ts";

/**
 * The visitor's side of callbacks: the windows on offer, their requests, cancelling one. The
 * request itself is a handoff (`POST /v1/handoff { channel: "callback", … }`).
 *
 * @example
 * app.route("/v1", visitorCallbackRoutes(services));
 */
export function visitorCallbackRoutes(s: Services) {
  const routes = new Hono();

  routes.get(
    "/callback-windows",
    route({
      summary: "The callback windows on offer now",
      tag: "visitor",
      auth: "visitor",
      responses: {
        200: {
          description: "As soon as possible, and the next windows",
          schema: CallbackWindowsAnswer,
        },
      },
    }),
    async (c) => {
      const { claim, site } = await requireVisitor(s, c);
      offeredChannel(s, site, "callback");
      return c.json(s.callbacks.windows(await s.threads.get(claim.conversationId)));
    },
  );

  routes.get(
    "/callbacks",
    route({
      summary: "The visitor's callback requests",
      tag: "visitor",
      auth: "visitor",
      responses: { 200: { description: "Newest first", schema: CallbacksAnswer } },
    }),
    async (c) => {
      const { claim } = await requireVisitor(s, c);
      const callbacks = await s.callbacks.ofConversation(claim.conversationId);
      return c.json({ callbacks: callbacks.map(callbackForVisitor) });
    },
  );

  routes.post(
    "/callbacks/:id/cancel",
    route({
      summary: "Cancel a callback request",
      tag: "visitor",
      auth: "visitor",
      params: { id: "The callback request's id" },
      responses: { 200: { description: "The cancelled request", schema: CallbackAnswer } },
    }),
    async (c) => {
      const { claim } = await requireVisitor(s, c);
      const conversation = await s.threads.get(claim.conversationId);
      const callback = await s.callbacks.cancelByVisitor(conversation, c.req.param("id"));
      return c.json({ callback: callbackForVisitor(callback) });
    },
  );

  return routes;
}

/**
 * The agents' callback queue: list, claim, schedule, close, offer a new time.
 *
 * @example
 * app.route("/v1/agent", agentCallbackRoutes(services));
 */
export function agentCallbackRoutes(s: Services) {
  const routes = new Hono();
  const signedIn = agentOnly(s);
  const CALLBACK_ID = { id: "The callback request's id" };

  routes.get(
    "/callbacks",
    signedIn,
    route({
      summary: "The callback queue, or the callbacks in one status",
      tag: "agent",
      auth: "agent",
      query: CallbacksQuery,
      responses: {
        200: { description: "By window start, earliest first", schema: AgentCallbacksAnswer },
      },
    }),
    async (c) => {
      const { siteId } = c.var.agent;
      const callbacks = await s.callbacks.list(siteId, c.req.valid("query").status);
      const { remindMinutes } = callbackRules(s.site(siteId));
      return c.json({ callbacks, remindMinutes });
    },
  );

  routes.patch(
    "/callbacks/:id",
    signedIn,
    route({
      summary: "Claim, release, schedule or close a callback",
      description:
        "`claim: true` takes it, `false` gives it back; `outcome` goes with `completed` or `missed`, `scheduledFor` with `scheduled`. Another agent's claim, or a final status, is 409.",
      tag: "agent",
      auth: "agent",
      body: UpdateCallbackBody,
      params: CALLBACK_ID,
      responses: { 200: { description: "The callback as changed", schema: AgentCallbackAnswer } },
    }),
    async (c) => {
      const { claim, status, outcome, scheduledFor } = c.req.valid("json");
      const callback = await s.callbacks.update(c.var.agent, c.req.param("id"), {
        ...(claim !== undefined ? { claim } : {}),
        ...(status ? { status } : {}),
        ...(outcome ? { outcome } : {}),
        ...(scheduledFor ? { scheduledFor } : {}),
      });
      return c.json({ callback });
    },
  );

  routes.post(
    "/callbacks/:id/offer",
    signedIn,
    route({
      summary: "Offer the visitor a new time after a missed or cancelled call",
      description:
        "Sends the agent's line by the visitor's channel (with a resume link away from the web), then shows the callback form again.",
      tag: "agent",
      auth: "agent",
      params: CALLBACK_ID,
      responses: { 201: { description: "The line sent to the visitor", schema: ReplyAnswer } },
    }),
    async (c) => {
      const { agent } = c.var;
      const answer = await s.callbacks.offer(agent, c.req.param("id"), async (callback) => {
        const conversation = await s.threads.get(callback.conversationId);
        // The widget shows the callback form below the line; other channels need a way back.
        const away = conversation.activeChannel !== "web";
        const where = away ? `: ${await s.port.resumeLink(conversation.id)}` : " below.";
        return replyToVisitor(s, agent, conversation, {
          text: `Sorry we missed you. Pick a new time for a call${where}`,
        });
      });
      return c.json({ event: answer.event, deliveredVia: answer.deliveredVia }, 201);
    },
  );

  return routes;
}
