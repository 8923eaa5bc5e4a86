import { Hono } from "hono";
import type { Agent, ChannelName, Conversation, ConversationStatus } from "../../sdk/protocol.ts";
import { verifyPassword } from "../auth/passwords.ts";
import { AppError } from "../errors.ts";
import { enforceLimit } from "./rate-limit.ts";
import { replyToVisitor } from "./reply.ts";
import { resumeLink } from "./resume.ts";
import { requireAgent, type Services } from "./services.ts";
import { CLIENT_ID, messageText, oneOf, readJson, seqParam, text } from "./validate.ts";

const STATUSES: readonly ConversationStatus[] = ["open", "pending", "resolved"];
const CHANNELS: readonly ChannelName[] = ["web", "messenger", "email", "callback", "telegram"];

/** A hash to compare against when the email is unknown, so timing does not reveal accounts. */
const DECOY_HASH =
  "scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

/**
 * The agent API of docs/architecture.md §4: login, inbox, thread with context, reply, notes,
 * status.
 *
 * @example
 * app.route("/v1/agent", agentRoutes(services));
 */
export function agentRoutes(s: Services) {
  const routes = new Hono();

  /** The conversation, if it belongs to the agent's site; another site's is simply not found. */
  async function conversationOf(agent: Agent, id: string): Promise<Conversation> {
    const conversation = await s.store.getConversation(id);
    if (!conversation || conversation.siteId !== agent.siteId) {
      throw new AppError("not_found", "No conversation with that id");
    }
    return conversation;
  }

  routes.post("/login", async (c) => {
    s.origins.checkOwn(c.req.header("origin"));
    await enforceLimit(s.store, "login", s.clientIp(c), s.limits.loginPerIp);
    const body = await readJson(c);
    const email = text(body, "email", { max: 254, nonEmpty: true }).trim().toLowerCase();
    const password = text(body, "password", { max: 1024, nonEmpty: true });
    const match = s.config.sites
      .flatMap((site) => site.agents.map((a) => ({ site, a })))
      .find((x) => x.a.email === email);
    const ok = await verifyPassword(password, match?.a.passwordHash ?? DECOY_HASH);
    if (!match || !ok) throw new AppError("unauthorized", "Wrong email or password");
    const agent: Agent = { email: match.a.email, name: match.a.name, siteId: match.site.id };
    const { token } = await s.tokens.signAgentToken(agent);
    return c.json({ token, agent });
  });

  /** The site's agents and who is at their console, for assignment and the team view. */
  routes.get("/agents", async (c) => {
    const agent = await requireAgent(s, c);
    const present = await s.presence.list(agent.siteId);
    const agents = s.site(agent.siteId).agents.map(({ email, name }) => ({
      email,
      name,
      status: present[email] ?? "offline",
    }));
    return c.json({ agents });
  });

  routes.get("/conversations", async (c) => {
    const agent = await requireAgent(s, c);
    const status = c.req.query("status");
    if (status !== undefined && !STATUSES.includes(status as ConversationStatus)) {
      throw new AppError("bad_request", `"status" must be one of ${STATUSES.join(", ")}`);
    }
    const limit = Math.min(seqParam(c.req.query("limit"), "limit") || 50, 200);
    const conversations = await s.store.listConversations(agent.siteId, {
      limit,
      ...(status ? { status: status as ConversationStatus } : {}),
    });
    return c.json({ conversations });
  });

  routes.get("/conversations/:id", async (c) => {
    const agent = await requireAgent(s, c);
    const conversation = await conversationOf(agent, c.req.param("id"));
    const after = seqParam(c.req.query("after"));
    const [contact, events] = await Promise.all([
      s.threads.contact(conversation.contactId),
      s.threads.eventsAfter(conversation.id, after, "agent"),
    ]);
    // The same customer's other threads, newest first: the agent sees every earlier contact.
    const earlierIds = (await s.store.contactConversationIds(contact.id)).filter(
      (id) => id !== conversation.id,
    );
    const earlier = (
      await Promise.all(earlierIds.slice(-20).map((id) => s.store.getConversation(id)))
    )
      .filter((c): c is Conversation => c !== null)
      .reverse();
    const callbacks = await s.callbacks.ofConversation(conversation.id);
    return c.json({ conversation, contact, events, callbacks, earlier });
  });

  routes.post("/conversations/:id/messages", async (c) => {
    const agent = await requireAgent(s, c);
    const conversation = await conversationOf(agent, c.req.param("id"));
    const body = await readJson(c);
    const message = messageText(body);
    const clientId = text(body, "clientId", { max: 64, pattern: CLIENT_ID, optional: true });
    const channel = oneOf(body, "channel", CHANNELS, true);
    const { event, duplicate, deliveredVia } = await replyToVisitor(s, agent, conversation, {
      text: message,
      ...(channel ? { channel } : {}),
      ...(clientId ? { clientId } : {}),
    });
    return c.json({ event, deliveredVia }, duplicate ? 200 : 201);
  });

  routes.post("/conversations/:id/notes", async (c) => {
    const agent = await requireAgent(s, c);
    const conversation = await conversationOf(agent, c.req.param("id"));
    const body = await readJson(c);
    const note = messageText(body);
    const clientId = text(body, "clientId", { max: 64, pattern: CLIENT_ID, optional: true });
    const { event, duplicate } = await s.threads.addNote(conversation.id, agent, note, clientId);
    return c.json({ event }, duplicate ? 200 : 201);
  });

  /** A resume link the agent can send by hand; channels put the same link in every message. */
  routes.post("/conversations/:id/resume-link", async (c) => {
    const agent = await requireAgent(s, c);
    const conversation = await conversationOf(agent, c.req.param("id"));
    return c.json({ url: await resumeLink(s, conversation.id) }, 201);
  });

  routes.patch("/conversations/:id", async (c) => {
    const agent = await requireAgent(s, c);
    const conversation = await conversationOf(agent, c.req.param("id"));
    const body = await readJson(c);
    const status = oneOf(body, "status", STATUSES, true);
    let assignee: { email: string; name: string } | null | undefined;
    if (body.assignee === null) assignee = null;
    else if (body.assignee !== undefined) {
      const email = text(body, "assignee", { max: 254 }).toLowerCase();
      const found = s.site(agent.siteId).agents.find((a) => a.email === email);
      if (!found) throw new AppError("bad_request", `"assignee" must be an agent of this site`);
      assignee = { email: found.email, name: found.name };
    }
    if (status === undefined && assignee === undefined) {
      throw new AppError("bad_request", 'Send "status" and/or "assignee"');
    }
    const updated = await s.threads.update(conversation.id, agent, {
      ...(status ? { status } : {}),
      ...(assignee !== undefined ? { assignee } : {}),
    });
    if (status === "resolved" && conversation.status !== "resolved") {
      for (const channel of s.channels.values()) {
        if (channel.configured(s.site(agent.siteId))) await channel.resolved?.(s, updated);
      }
    }
    return c.json({ conversation: updated });
  });

  return routes;
}
