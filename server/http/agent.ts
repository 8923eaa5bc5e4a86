import { Hono, type MiddlewareHandler } from "hono";
import type { Agent, Conversation } from "../../sdk/protocol.ts";
import { verifyPassword } from "../auth/passwords.ts";
import { audit, conversationChanges } from "../core/audit.ts";
import { AppError } from "../errors.ts";
import {
  AgentsAnswer,
  ConversationAnswer,
  EventAnswer,
  InboxAnswer,
  InboxQuery,
  LinkAnswer,
  LoginAnswer,
  LoginBody,
  NoteBody,
  ReplyAnswer,
  ReplyBody,
  ThreadAnswer,
  ThreadQuery,
  UpdateConversationBody,
} from "../schema/agent.ts";
import { route } from "../schema/route.ts";
import { enforceLimit } from "./rate-limit.ts";
import { replyToVisitor } from "./reply.ts";
import { type AgentEnv, agentOnly, type Services } from "./services.ts";

/** A hash to compare against when the email is unknown, so timing does not reveal accounts. */
const DECOY_HASH =
  "scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

const CONVERSATION_ID = { id: "The conversation's id" };

type ConversationEnv = { Variables: AgentEnv["Variables"] & { conversation: Conversation } };

/**
 * The agent API of docs/architecture.md §4: login, inbox, thread with context, reply, notes,
 * status.
 *
 * @example
 * app.route("/v1/agent", agentRoutes(services));
 */
export function agentRoutes(s: Services) {
  const routes = new Hono();
  const signedIn = agentOnly(s);

  /**
   * `c.var.conversation`: the `:id` conversation, if it belongs to the agent's site (another
   * site's is simply not found). Before `route()`, as before the schemas: a missing thread is
   * 404 whatever the body says.
   */
  const theirs: MiddlewareHandler<ConversationEnv> = async (c, next) => {
    const conversation = await s.store.getConversation(c.req.param("id") ?? "");
    if (!conversation || conversation.siteId !== c.var.agent.siteId) {
      throw new AppError("not_found", "No conversation with that id");
    }
    c.set("conversation", conversation);
    await next();
  };

  routes.post(
    "/login",
    // The origin and the rate limit come first: a malformed attempt counts as an attempt.
    async (c, next) => {
      s.origins.checkOwn(c.req.header("origin"));
      await enforceLimit(s.store, "login", s.clientIp(c), s.limits.loginPerIp);
      await next();
    },
    route({
      summary: "Log in as an agent",
      description: "From the console's own origin; rate-limited per IP.",
      tag: "agent",
      auth: "none",
      body: LoginBody,
      responses: {
        200: { description: "The agent token, and who it is for", schema: LoginAnswer },
      },
    }),
    async (c) => {
      const { email, password } = c.req.valid("json");
      const match = s.config.sites
        .flatMap((site) => site.agents.map((a) => ({ site, a })))
        .find((x) => x.a.email === email);
      const ok = await verifyPassword(password, match?.a.passwordHash ?? DECOY_HASH);
      if (!match || !ok) throw new AppError("unauthorized", "Wrong email or password");
      const agent: Agent = { email: match.a.email, name: match.a.name, siteId: match.site.id };
      const { token } = await s.tokens.signAgentToken(agent);
      return c.json({ token, agent });
    },
  );

  /** The site's agents and who is at their console, for assignment and the team view. */
  routes.get(
    "/agents",
    signedIn,
    route({
      summary: "The site's agents and who is at their console",
      tag: "agent",
      auth: "agent",
      responses: {
        200: { description: "Each agent, online, away or offline", schema: AgentsAnswer },
      },
    }),
    async (c) => {
      const { siteId } = c.var.agent;
      const present = await s.presence.list(siteId);
      const agents = s.site(siteId).agents.map(({ email, name }) => ({
        email,
        name,
        status: present[email] ?? "offline",
      }));
      return c.json({ agents });
    },
  );

  routes.get(
    "/conversations",
    signedIn,
    route({
      summary: "The inbox: the site's conversations, newest first",
      tag: "agent",
      auth: "agent",
      query: InboxQuery,
      responses: { 200: { description: "Newest first", schema: InboxAnswer } },
    }),
    async (c) => {
      const { status, limit } = c.req.valid("query");
      const conversations = await s.store.listConversations(c.var.agent.siteId, {
        limit,
        ...(status ? { status } : {}),
      });
      return c.json({ conversations });
    },
  );

  routes.get(
    "/conversations/:id",
    signedIn,
    theirs,
    route({
      summary: "A conversation with its contact, events, callbacks and earlier threads",
      tag: "agent",
      auth: "agent",
      query: ThreadQuery,
      params: CONVERSATION_ID,
      responses: {
        200: { description: "Events with seq > after, notes included", schema: ThreadAnswer },
      },
    }),
    async (c) => {
      const { conversation } = c.var;
      const { after } = c.req.valid("query");
      const [contact, events] = await Promise.all([
        s.threads.contact(conversation.contactId),
        s.threads.eventsAfter(conversation.id, after, "agent").then(s.attachments.presentAll),
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
    },
  );

  routes.post(
    "/conversations/:id/messages",
    signedIn,
    theirs,
    route({
      summary: "Reply to the visitor",
      description:
        "Delivered by `channel`, or the conversation's active channel. The same `clientId` again answers 200 with the stored event.",
      tag: "agent",
      auth: "agent",
      body: ReplyBody,
      params: CONVERSATION_ID,
      responses: {
        201: { description: "Stored and sent", schema: ReplyAnswer },
        200: { description: "Already stored under this clientId", schema: ReplyAnswer },
      },
    }),
    async (c) => {
      const { agent, conversation } = c.var;
      const { text, attachments, channel, clientId } = c.req.valid("json");
      const { event, duplicate, deliveredVia } = await replyToVisitor(s, agent, conversation, {
        text,
        attachments: await s.attachments.forMessage(conversation.id, attachments),
        ...(channel ? { channel } : {}),
        ...(clientId ? { clientId } : {}),
      });
      return c.json(
        { event: await s.attachments.present(event), deliveredVia },
        duplicate ? 200 : 201,
      );
    },
  );

  routes.post(
    "/conversations/:id/notes",
    signedIn,
    theirs,
    route({
      summary: "Add a note only agents see",
      description: "The same `clientId` again answers 200 with the stored event.",
      tag: "agent",
      auth: "agent",
      body: NoteBody,
      params: CONVERSATION_ID,
      responses: {
        201: { description: "Stored", schema: EventAnswer },
        200: { description: "Already stored under this clientId", schema: EventAnswer },
      },
    }),
    async (c) => {
      const { agent, conversation } = c.var;
      const { text, clientId } = c.req.valid("json");
      const { event, duplicate } = await s.threads.addNote(conversation.id, agent, text, clientId);
      return c.json({ event }, duplicate ? 200 : 201);
    },
  );

  /** A resume link the agent can send by hand; channels put the same link in every message. */
  routes.post(
    "/conversations/:id/resume-link",
    signedIn,
    theirs,
    route({
      summary: "Make a resume link to send by hand",
      tag: "agent",
      auth: "agent",
      params: CONVERSATION_ID,
      responses: { 201: { description: "The link (valid for 14 days)", schema: LinkAnswer } },
    }),
    async (c) => {
      const { conversation } = c.var;
      return c.json({ url: await s.port.resumeLink(conversation.id) }, 201);
    },
  );

  routes.patch(
    "/conversations/:id",
    signedIn,
    theirs,
    route({
      summary: "Set a conversation's status or assignee",
      description:
        "`assignee` is an agent of the site, or `null` to unassign. Resolving tells the channels (a transcript, a rating request).",
      tag: "agent",
      auth: "agent",
      body: UpdateConversationBody,
      params: CONVERSATION_ID,
      responses: { 200: { description: "The conversation", schema: ConversationAnswer } },
    }),
    async (c) => {
      const { agent, conversation } = c.var;
      const body = c.req.valid("json");
      // Who the agents are is the site's, not the schema's, to say.
      let assignee: { email: string; name: string } | null | undefined;
      if (body.assignee === null) assignee = null;
      else if (body.assignee !== undefined) {
        const found = s.site(agent.siteId).agents.find((a) => a.email === body.assignee);
        if (!found) throw new AppError("bad_request", `"assignee" must be an agent of this site`);
        assignee = { email: found.email, name: found.name };
      }
      const { status } = body;
      const updated = await s.threads.update(conversation.id, agent, {
        ...(status ? { status } : {}),
        ...(assignee !== undefined ? { assignee } : {}),
      });
      for (const entry of conversationChanges(conversation, updated)) {
        await audit(s.store, agent, entry, s.now());
      }
      if (status === "resolved" && conversation.status !== "resolved") {
        for (const channel of s.channels.values()) {
          if (channel.configured(s.site(agent.siteId))) await channel.resolved?.(s.port, updated);
        }
      }
      return c.json({ conversation: updated });
    },
  );

  return routes;
}
