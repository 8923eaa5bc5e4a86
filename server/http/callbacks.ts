import { Hono } from "hono";
import type { CallbackStatus } from "../../sdk/protocol.ts";
import { callbackRules } from "../core/callback-hours.ts";
import { callbackForVisitor } from "../core/callbacks.ts";
import { AppError } from "../errors.ts";
import { route } from "../schema/route.ts";
import { CallbackAnswer, CallbacksAnswer, CallbackWindowsAnswer } from "../schema/visitor.ts";
import { replyToVisitor } from "./reply.ts";
import { resumeLink } from "./resume.ts";
import { offeredChannel, requireAgent, requireVisitor, type Services } from "./services.ts";
import { oneOf, readJson, text } from "./validate.ts";

const LIST_STATUSES: readonly (CallbackStatus | "active")[] = [
  "active",
  "requested",
  "scheduled",
  "completed",
  "missed",
  "cancelled",
];
const AGENT_STATUSES = ["scheduled", "completed", "missed", "cancelled"] as const;

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

  routes.get("/callbacks", async (c) => {
    const agent = await requireAgent(s, c);
    const status = c.req.query("status") ?? "active";
    if (!LIST_STATUSES.includes(status as CallbackStatus)) {
      throw new AppError("bad_request", `"status" must be one of ${LIST_STATUSES.join(", ")}`);
    }
    const callbacks = await s.callbacks.list(agent.siteId, status as CallbackStatus | "active");
    const { remindMinutes } = callbackRules(s.site(agent.siteId));
    return c.json({ callbacks, remindMinutes });
  });

  routes.patch("/callbacks/:id", async (c) => {
    const agent = await requireAgent(s, c);
    const body = await readJson(c);
    if (body.claim !== undefined && typeof body.claim !== "boolean") {
      throw new AppError("bad_request", '"claim" must be true or false');
    }
    const status = oneOf(body, "status", AGENT_STATUSES, true);
    const outcome = text(body, "outcome", { max: 1000, optional: true });
    const scheduledFor = text(body, "scheduledFor", { max: 40, optional: true });
    if (body.claim === undefined && status === undefined) {
      throw new AppError("bad_request", 'Send "claim" and/or "status"');
    }
    const callback = await s.callbacks.update(agent, c.req.param("id"), {
      ...(typeof body.claim === "boolean" ? { claim: body.claim } : {}),
      ...(status ? { status } : {}),
      ...(outcome ? { outcome } : {}),
      ...(scheduledFor ? { scheduledFor } : {}),
    });
    return c.json({ callback });
  });

  routes.post("/callbacks/:id/offer", async (c) => {
    const agent = await requireAgent(s, c);
    const answer = await s.callbacks.offer(agent, c.req.param("id"), async (callback) => {
      const conversation = await s.threads.get(callback.conversationId);
      // The widget shows the callback form below the line; other channels need a way back.
      const away = conversation.activeChannel !== "web";
      const where = away ? `: ${await resumeLink(s, conversation.id)}` : " below.";
      return replyToVisitor(s, agent, conversation, {
        text: `Sorry we missed you. Pick a new time for a call${where}`,
      });
    });
    return c.json({ event: answer.event, deliveredVia: answer.deliveredVia }, 201);
  });

  return routes;
}
