import { Hono } from "hono";
import { verifySiteIdentity } from "../auth/identity.ts";
import type { ExternalChannel } from "../channels/types.ts";
import type { VisitorClaim } from "../core/threads.ts";
import { conversationForVisitor } from "../core/visibility.ts";
import { AppError } from "../errors.ts";
import { enforceLimit } from "./rate-limit.ts";
import { bearer, offeredChannel, requireVisitor, type Services } from "./services.ts";
import { snapshotFor } from "./snapshot.ts";
import {
  CLIENT_ID,
  messageText,
  oneOf,
  readJson,
  seqParam,
  text,
  visitorContext,
} from "./validate.ts";

const HANDOFF_CHANNELS: readonly ExternalChannel[] = ["messenger", "email", "callback", "telegram"];

/**
 * The visitor API of docs/architecture.md §4: start or resume, history, messages, handoff.
 *
 * @example
 * app.route("/v1", visitorRoutes(services));
 */
export function visitorRoutes(s: Services) {
  const routes = new Hono();

  routes.post("/conversations", async (c) => {
    const body = await readJson(c);
    const siteId = text(body, "siteId", { max: 64, nonEmpty: true });
    const site = s.site(siteId);
    s.origins.check(c.req.header("origin"), site);
    const context = visitorContext(body.context, new Date(s.now()).toISOString());

    // A token of this site resumes its thread; a forged or foreign one is refused outright.
    const token = bearer(c);
    const claim: VisitorClaim | null = token
      ? await s.tokens.verifyConversationToken(token, site.id)
      : null;
    if (!claim) await enforceLimit(s.store, "start", s.clientIp(c), s.limits.startPerIp);

    const { conversation, created } = await s.threads.start(site.id, claim, context);
    // The answer always carries a fresh token: every visit renews it.
    return c.json(await snapshotFor(s, conversation), created ? 201 : 200);
  });

  routes.post("/identify", async (c) => {
    const { claim, site } = await requireVisitor(s, c);
    const body = await readJson(c);
    const jwt = text(body, "jwt", { max: 4096 });
    const user = await verifySiteIdentity(jwt, site, { now: s.now });
    const conversation = await s.threads.identify(claim, user);
    return c.json(await snapshotFor(s, conversation));
  });

  routes.patch("/conversation", async (c) => {
    const { claim } = await requireVisitor(s, c);
    const body = await readJson(c);
    const context = visitorContext(body.context, new Date(s.now()).toISOString());
    const conversation = await s.threads.recordContext(claim.conversationId, context);
    return c.json({ conversation: conversationForVisitor(conversation) });
  });

  routes.get("/conversation", async (c) => {
    const { claim } = await requireVisitor(s, c);
    const after = seqParam(c.req.query("after"));
    const conversation = await s.threads.get(claim.conversationId);
    const events = await s.threads.eventsAfter(conversation.id, after, "visitor");
    return c.json({ conversation: conversationForVisitor(conversation), events });
  });

  routes.post("/messages", async (c) => {
    const { claim } = await requireVisitor(s, c);
    const body = await readJson(c);
    const clientId = text(body, "clientId", { max: 64, pattern: CLIENT_ID });
    const message = messageText(body);
    await enforceLimit(s.store, "messages", claim.conversationId, s.limits.messagesPerConversation);
    const { event, duplicate } = await s.threads.postVisitorMessage(claim.conversationId, {
      clientId,
      text: message,
    });
    return c.json({ event }, duplicate ? 200 : 201);
  });

  /** The visitor's rating after a resolve: 1–5 and an optional comment. */
  routes.post("/csat", async (c) => {
    const { claim } = await requireVisitor(s, c);
    const body = await readJson(c);
    const rating = body.rating;
    if (typeof rating !== "number" || !Number.isInteger(rating) || rating < 1 || rating > 5) {
      throw new AppError("bad_request", '"rating" must be a whole number from 1 to 5');
    }
    const comment = text(body, "comment", { max: 1000, optional: true })?.trim();
    const event = await s.threads.rate(claim.conversationId, rating, comment || undefined);
    return c.json({ event }, 201);
  });

  routes.post("/handoff", async (c) => {
    const { claim, site } = await requireVisitor(s, c);
    const body = await readJson(c);
    const name = oneOf(body, "channel", HANDOFF_CHANNELS);
    const channel = offeredChannel(s, site, name);
    const conversation = await s.threads.get(claim.conversationId);
    const answer = await channel.handoff(s, conversation, body);
    if (!answer.recorded) await s.threads.noteHandoff(conversation.id, name);
    return c.json(answer.body, answer.status);
  });

  return routes;
}
