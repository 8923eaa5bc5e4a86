import type {
  Agent,
  Author,
  ChannelName,
  Contact,
  Conversation,
  ConversationContext,
  ConversationStatus,
  ThreadEvent,
} from "../../sdk/protocol.ts";
import type { SiteConfig } from "../config.ts";
import { AppError } from "../errors.ts";
import type { AppendResult, Store, StoredAttachment } from "../store/types.ts";
import { mergeContext } from "./context.ts";
import { pickAgent } from "./routing.ts";
import { visibleToVisitor } from "./visibility.ts";

/** How a channel is named in sentences the thread shows. */
export const CHANNEL_NAMES: Record<ChannelName, string> = {
  web: "the website chat",
  messenger: "Messenger",
  email: "email",
  callback: "a phone callback",
  telegram: "Telegram",
  whatsapp: "WhatsApp",
  sms: "text message",
};

export interface ThreadsDeps {
  store: Store;
  /** The site's configuration (agents and their skills, for routing). */
  site: (id: string) => SiteConfig;
  /** Milliseconds since the epoch; injected so tests control time. */
  now: () => number;
  /** A fresh opaque id for contacts and conversations. */
  newId: () => string;
}

/** A visitor's proof of a thread, already verified by the caller (a conversation token). */
export interface VisitorClaim {
  conversationId: string;
  contactId: string;
  siteId: string;
}

export interface StartResult {
  conversation: Conversation;
  /** False when an existing thread was resumed. */
  created: boolean;
}

/** An agent's outgoing message, before a channel delivers it. */
export interface AgentMessage {
  text?: string | undefined;
  /** Files of this conversation (`Attachments.forMessage` made them from the ids sent). */
  attachments?: StoredAttachment[] | undefined;
  channel: ChannelName;
  clientId?: string;
}

/**
 * A message's words and files as stored: it needs one or the other (a file alone has no text).
 *
 * @example
 * const content = messageContent("", [photo]); // { text: "", attachments: [photo] }
 */
export function messageContent(
  text: string | undefined,
  attachments: StoredAttachment[] | undefined,
): { text: string; attachments?: StoredAttachment[] } {
  const words = text ?? "";
  if (attachments?.length) return { text: words, attachments };
  if (!/\S/.test(words)) {
    throw new AppError(
      "bad_request",
      '"text" must not be empty unless the message carries attachments',
    );
  }
  return { text: words };
}

/**
 * The thread engine: the rules of conversations, independent of HTTP, sockets and channels.
 *
 * @example
 * const threads = createThreads({ store, now: Date.now, newId: () => randomId() });
 * const { conversation } = await threads.start("demo", null, { url: "https://shop.example/" });
 * await threads.postVisitorMessage(conversation.id, { clientId: "c1", text: "Hi" });
 */
export function createThreads(deps: ThreadsDeps) {
  const { store } = deps;
  const iso = () => new Date(deps.now()).toISOString();

  async function mustGet(conversationId: string): Promise<Conversation> {
    const conversation = await store.getConversation(conversationId);
    if (!conversation) throw new AppError("not_found", "No conversation with that id");
    return conversation;
  }

  async function append(
    conversationId: string,
    input: {
      type: ThreadEvent["type"];
      channel: ChannelName;
      author: Author;
      text: string;
      clientId?: string;
      name?: string;
      data?: Record<string, unknown>;
      attachments?: StoredAttachment[];
    },
  ): Promise<AppendResult> {
    return store.append(conversationId, { ...input, createdAt: iso() });
  }

  /** Tells every instance's live sockets that the conversation itself changed. */
  async function announce(conversation: Conversation): Promise<Conversation> {
    await store.publish({ kind: "conversation", siteId: conversation.siteId, conversation });
    return conversation;
  }

  /** Assigns an unassigned conversation to the agent routing picks, if anyone is online. */
  async function route(conversationId: string): Promise<void> {
    const conversation = await mustGet(conversationId);
    if (conversation.assignee) return;
    const site = deps.site(conversation.siteId);
    const agent = await pickAgent(
      store,
      site.agents,
      await store.presence(site.id, deps.now()),
      conversation,
    );
    if (!agent) return;
    await store.updateConversation(conversationId, {
      assignee: agent.email,
      updatedAt: conversation.updatedAt,
    });
    await system(conversationId, "conversation.assigned", `Assigned to ${agent.name}`, {
      assignee: agent.email,
      by: "routing",
    });
    const updated = await store.getConversation(conversationId);
    if (updated) await announce(updated);
  }

  async function system(
    conversationId: string,
    name: string,
    text: string,
    data?: Record<string, unknown>,
    extra: { channel?: ChannelName; clientId?: string } = {},
  ) {
    return append(conversationId, {
      type: "system",
      channel: extra.channel ?? "web",
      author: { role: "system" },
      text,
      name,
      ...(data ? { data } : {}),
      ...(extra.clientId ? { clientId: extra.clientId } : {}),
    });
  }

  return {
    /**
     * Starts a thread, or resumes the one a valid claim points at: a reload never forks it.
     * The context the browser reports is folded in either way.
     */
    async start(
      siteId: string,
      claim: VisitorClaim | null,
      context: ConversationContext = {},
    ): Promise<StartResult> {
      const at = iso();
      if (claim) {
        if (claim.siteId !== siteId)
          throw new AppError("wrong_site", "The token belongs to another site");
        const existing = await store.getConversation(claim.conversationId);
        if (existing && existing.siteId === siteId && existing.contactId === claim.contactId) {
          const merged = mergeContext(existing.context, context, at);
          const conversation = await store.updateConversation(existing.id, {
            context: merged,
            updatedAt: existing.updatedAt,
          });
          return { conversation: await announce(conversation ?? existing), created: false };
        }
      }
      const contact: Contact = {
        id: deps.newId(),
        siteId,
        identities: [],
        attributes: {},
        createdAt: at,
      };
      await store.createContact(contact);
      const conversation: Conversation = {
        id: deps.newId(),
        siteId,
        contactId: contact.id,
        status: "open",
        activeChannel: "web",
        channels: [{ channel: "web", linkedAt: at, replyUntil: null }],
        context: mergeContext({}, context, at),
        createdAt: at,
        updatedAt: at,
        lastSeq: 0,
      };
      await store.createConversation(conversation);
      return { conversation: await announce(conversation), created: true };
    },

    get: mustGet,

    /** Records what the visitor's browser reports: pages, locale, attributes. */
    async recordContext(
      conversationId: string,
      context: ConversationContext,
    ): Promise<Conversation> {
      const conversation = await mustGet(conversationId);
      const merged = mergeContext(conversation.context, context, iso());
      const updated = await store.updateConversation(conversationId, {
        context: merged,
        updatedAt: conversation.updatedAt,
      });
      return announce(updated ?? conversation);
    },

    /**
     * The visitor's message; the same clientId again answers the first event. A conversation
     * nobody has yet goes to an online agent (see `routing.ts`).
     */
    async postVisitorMessage(
      conversationId: string,
      message: {
        clientId: string;
        text?: string | undefined;
        /** Files of this conversation (`Attachments.forMessage`, or kept by the channel). */
        attachments?: StoredAttachment[] | undefined;
        channel?: ChannelName;
        /** Channel facts kept with the message (e.g. when Messenger says it was sent). */
        data?: Record<string, unknown>;
      },
    ) {
      const result = await append(conversationId, {
        type: "message",
        channel: message.channel ?? "web",
        author: { role: "visitor" },
        ...messageContent(message.text, message.attachments),
        clientId: message.clientId,
        ...(message.data ? { data: message.data } : {}),
      });
      // Idempotency keys share one space per thread: a visitor's key may only ever answer
      // the visitor's own message, never an agent's note or a system event.
      if (
        result.duplicate &&
        (result.event.type !== "message" || result.event.author.role !== "visitor")
      ) {
        throw new AppError("conflict", "That clientId is already taken in this conversation");
      }
      if (!result.duplicate && !result.assignee) await route(conversationId);
      return result;
    },

    /** Gives every waiting, unassigned open conversation of a site to an online agent. */
    async routeWaiting(siteId: string): Promise<void> {
      const open = await store.listConversations(siteId, { status: "open", limit: 200 });
      for (const conversation of open) {
        if (!conversation.assignee && conversation.lastText !== undefined)
          await route(conversation.id);
      }
    },

    async postAgentMessage(conversationId: string, agent: Agent, message: AgentMessage) {
      return append(conversationId, {
        type: "message",
        channel: message.channel,
        author: { role: "agent", id: agent.email, name: agent.name },
        ...messageContent(message.text, message.attachments),
        ...(message.clientId ? { clientId: message.clientId } : {}),
      });
    },

    /** An internal note: in the thread for agents, never sent to the visitor. */
    async addNote(
      conversationId: string,
      agent: Agent,
      text: string,
      clientId?: string,
      /** What the note is about, e.g. the callback whose outcome it records. */
      about: { channel?: ChannelName; data?: Record<string, unknown> } = {},
    ) {
      const { data } = about;
      return append(conversationId, {
        type: "note",
        channel: about.channel ?? "web",
        author: { role: "agent", id: agent.email, name: agent.name },
        text,
        ...(clientId ? { clientId } : {}),
        ...(data ? { data } : {}),
      });
    },

    /**
     * A system event of a channel's own (e.g. `callback.scheduled`). `clientId` makes it
     * idempotent: a retried step records it once.
     */
    system,

    /** Events after a seq; a visitor's read leaves out what only agents may see. */
    async eventsAfter(
      conversationId: string,
      after: number,
      audience: "visitor" | "agent",
    ): Promise<ThreadEvent[]> {
      const events = await store.eventsAfter(conversationId, after);
      return audience === "visitor" ? events.filter(visibleToVisitor) : events;
    },

    /** Changes status or assignee; each change is also a system event in the thread. */
    async update(
      conversationId: string,
      agent: Agent,
      change: { status?: ConversationStatus; assignee?: { email: string; name: string } | null },
    ): Promise<Conversation> {
      const before = await mustGet(conversationId);
      const patch: Parameters<Store["updateConversation"]>[1] = { updatedAt: iso() };
      if (change.status !== undefined) patch.status = change.status;
      if (change.assignee !== undefined) patch.assignee = change.assignee?.email ?? null;
      const after = (await store.updateConversation(conversationId, patch))!;

      if (change.status !== undefined && change.status !== before.status) {
        const verb =
          change.status === "resolved"
            ? "resolved"
            : before.status === "resolved"
              ? "reopened"
              : change.status;
        await system(
          conversationId,
          `conversation.${verb}`,
          `Conversation ${verb} by ${agent.name}`,
          { by: agent.email },
        );
        // Ask the visitor how it went, where they are, once there was something to rate.
        if (verb === "resolved" && before.lastText !== undefined) {
          await system(conversationId, "csat.requested", "How did we do?", {
            channel: before.activeChannel,
          });
        }
      }
      if (
        change.assignee !== undefined &&
        (change.assignee?.email ?? undefined) !== before.assignee
      ) {
        await system(
          conversationId,
          "conversation.assigned",
          change.assignee
            ? `Assigned to ${change.assignee.name} by ${agent.name}`
            : `Unassigned by ${agent.name}`,
          { assignee: change.assignee?.email ?? null, by: agent.email },
        );
      }
      return announce((await store.getConversation(conversationId)) ?? after);
    },

    /**
     * Links the visitor's contact to a verified user of the site (a proof the site's backend
     * signed). A user already known from another browser or device keeps one contact: an empty
     * new thread gives way to their latest one, a thread with messages moves to their contact.
     * Answers the conversation the visitor continues in.
     */
    async identify(
      claim: VisitorClaim,
      user: { userId: string; email?: string; name?: string },
    ): Promise<Conversation> {
      const current = await mustGet(claim.conversationId);
      const { siteId } = current;
      const owner = await store.claimIdentity(
        siteId,
        { kind: "user", value: user.userId },
        current.contactId,
      );
      let target = current;
      if (owner !== current.contactId) {
        const latest = (await store.contactConversationIds(owner)).at(-1);
        const theirs = latest ? await store.getConversation(latest) : null;
        target =
          current.lastSeq === 0 && theirs
            ? theirs
            : ((await store.updateConversation(current.id, {
                contactId: owner,
                updatedAt: current.updatedAt,
              })) ?? current);
      }
      if (user.email)
        await store.claimIdentity(
          siteId,
          { kind: "email", value: user.email.toLowerCase() },
          owner,
        );

      const contact = (await store.getContact(owner)) ?? {
        id: owner,
        siteId,
        identities: [],
        attributes: {},
        createdAt: iso(),
      };
      const proven = [
        { kind: "user" as const, value: user.userId, verified: true },
        ...(user.email
          ? [{ kind: "email" as const, value: user.email.toLowerCase(), verified: true }]
          : []),
      ];
      const identities = contact.identities.filter(
        (i) => !proven.some((p) => p.kind === i.kind && p.value === i.value),
      );
      await store.saveContact({
        ...contact,
        identities: [...identities, ...proven],
        ...(user.name ? { name: user.name } : {}),
        ...(user.email ? { email: user.email.toLowerCase() } : {}),
      });
      await system(
        target.id,
        "contact.identified",
        `Identified as ${user.name ?? user.email ?? user.userId}`,
        {
          userId: user.userId,
        },
      );
      return announce((await store.getConversation(target.id)) ?? target);
    },

    /**
     * The visitor's answer to the latest rating request: 1–5 and an optional comment, once per
     * request (a repeat answers the first rating).
     */
    async rate(conversationId: string, rating: number, comment?: string): Promise<ThreadEvent> {
      const { lastSeq } = await mustGet(conversationId);
      const events = await store.eventsAfter(conversationId, Math.max(0, lastSeq - 400));
      const request = events.findLast((e) => e.name === "csat.requested");
      if (!request)
        throw new AppError(
          "conflict",
          "Nothing to rate yet: the conversation has not been resolved",
        );
      const { event } = await append(conversationId, {
        type: "system",
        channel: (request.data?.channel as ChannelName | undefined) ?? "web",
        author: { role: "visitor" },
        text: `Rated ${rating}/5${comment ? `: ${comment}` : ""}`,
        name: "csat.submitted",
        clientId: `csat:${request.seq}`,
        data: { rating, ...(comment ? { comment } : {}), request: request.seq },
      });
      return event;
    },

    /** The visitor asked to continue elsewhere: a system event both sides see. */
    async noteHandoff(conversationId: string, channel: ChannelName): Promise<void> {
      await system(conversationId, "handoff.requested", `Continuing in ${CHANNEL_NAMES[channel]}`, {
        channel,
      });
    },

    /** A reply stayed in the thread but did not reach the visitor's channel: agents see why. */
    async noteDeliveryFailure(
      conversationId: string,
      event: ThreadEvent,
      error: unknown,
    ): Promise<void> {
      const reason = error instanceof AppError ? error.message : "unexpected error";
      await system(
        conversationId,
        "delivery.failed",
        `Not delivered by ${CHANNEL_NAMES[event.channel]}: ${reason}`,
        {
          seq: event.seq,
          channel: event.channel,
          ...(error instanceof AppError ? { code: error.code } : {}),
        },
      );
    },

    /**
     * Links a channel identity (a PSID, an email address) to the thread: it joins the channel
     * list, becomes where replies go, and the thread says so.
     */
    async linkChannel(
      conversationId: string,
      channel: ChannelName,
      address: string,
      /** False for a channel replies cannot go to (a phone callback): linked, not moved to. */
      active = true,
    ): Promise<Conversation> {
      const conversation = await mustGet(conversationId);
      const linked = conversation.channels.some(
        (c) => c.channel === channel && c.address === address,
      );
      const channels = linked
        ? conversation.channels
        : [
            ...conversation.channels.filter((c) => c.channel !== channel),
            { channel, address, linkedAt: iso(), replyUntil: null },
          ];
      const updated = await store.updateConversation(conversationId, {
        channels,
        ...(active ? { activeChannel: channel } : {}),
        updatedAt: iso(),
      });
      if (!linked && active) {
        await system(conversationId, "channel.linked", `Moved to ${CHANNEL_NAMES[channel]}`, {
          channel,
        });
      }
      return announce(updated ?? conversation);
    },

    /**
     * The visitor wrote by a channel whose platform limits free-form replies (Messenger,
     * WhatsApp): until `until` (ISO) an agent's reply can go there. Only ever moves later, so a
     * message Meta re-delivered late does not shorten the window.
     */
    async openReplyWindow(
      conversationId: string,
      channel: ChannelName,
      until: string,
    ): Promise<Conversation> {
      const conversation = await mustGet(conversationId);
      const entry = conversation.channels.find((c) => c.channel === channel);
      if (!entry || (entry.replyUntil && entry.replyUntil >= until)) return conversation;
      const updated = await store.updateConversation(conversationId, {
        channels: conversation.channels.map((c) => (c === entry ? { ...c, replyUntil: until } : c)),
        updatedAt: conversation.updatedAt,
      });
      return announce(updated ?? conversation);
    },

    async contact(contactId: string): Promise<Contact> {
      const contact = await store.getContact(contactId);
      if (!contact) throw new AppError("not_found", "No contact with that id");
      return contact;
    },
  };
}

export type Threads = ReturnType<typeof createThreads>;
