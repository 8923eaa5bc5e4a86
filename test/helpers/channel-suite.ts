import { readFileSync } from "node:fs";
import { expect } from "vitest";
import type {
  ChannelName,
  Contact,
  Conversation,
  ConversationSnapshot,
  ThreadEvent,
} from "../../sdk/protocol.ts";
import { loginAgent } from "./agent-api.ts";
import { api } from "./omnithread.ts";

/**
 * What every outside channel's integration suite does the same way: a visitor on the web chat,
 * the handoff link they are given, the thread as the site's agent reads it. The sites of those
 * suites are `<id>` with origin `https://<id>.example` and agent `agent@<id>.example`.
 */

/** Polls `probe` until it answers something truthy (a peer received, a thread changed). */
export async function eventually<T>(
  probe: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  what: string,
  ms = 5000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Logs in each site's agent (`agent@<id>.example`, the demo password); their tokens by site. */
export async function loginSiteAgents<Id extends string>(
  base: string,
  ids: readonly Id[],
): Promise<Record<Id, string>> {
  const tokens = {} as Record<Id, string>;
  for (const id of ids) tokens[id] = await loginAgent(base, `agent@${id}.example`);
  return tokens;
}

export interface WebVisitor {
  token: string;
  id: string;
}

/** A visitor on the site's web chat, with a first message. */
export async function webVisitor(
  base: string,
  siteId: string,
  text = "Hello from the website",
): Promise<WebVisitor> {
  const started = await api<ConversationSnapshot>(base, "/v1/conversations", {
    body: { siteId, context: { url: `https://${siteId}.example/orders/42`, locale: "en" } },
  });
  expect(started.status).toBe(201);
  const { token } = started.body;
  await api(base, "/v1/messages", { token, body: { clientId: "web-1", text } });
  return { token, id: started.body.conversation.id };
}

/** `POST /v1/handoff { channel }`: the link the visitor is given (200). */
export async function handoffLink(
  base: string,
  web: WebVisitor,
  channel: ChannelName,
): Promise<URL> {
  const res = await api<{ url: string }>(base, "/v1/handoff", {
    token: web.token,
    body: { channel },
  });
  expect(res.status).toBe(200);
  return new URL(res.body.url);
}

export interface AgentView {
  conversation: Conversation;
  contact: Contact;
  events: ThreadEvent[];
  earlier: Conversation[];
}

/** The thread as the site's agent reads it. */
export async function threadOf(base: string, token: string, id: string): Promise<AgentView> {
  const res = await api<AgentView>(base, `/v1/agent/conversations/${id}`, { token });
  expect(res.status).toBe(200);
  return res.body;
}

/** The site's conversations linked to `address` on `channel`. */
export async function conversationsOn(
  base: string,
  token: string,
  channel: ChannelName,
  address: string,
): Promise<Conversation[]> {
  const res = await api<{ conversations: Conversation[] }>(
    base,
    "/v1/agent/conversations?limit=200",
    { token },
  );
  return res.body.conversations.filter((c) =>
    c.channels.some((l) => l.channel === channel && l.address === address),
  );
}

/** The texts of a thread's messages on one channel, in order. */
export const channelTexts = (events: ThreadEvent[], channel: ChannelName) =>
  events.filter((e) => e.type === "message" && e.channel === channel).map((e) => e.text);

const passwordHash = JSON.parse(readFileSync("demo/sites.json", "utf8")).sites[0].agents[0]
  .passwordHash as string;

/** A suite's site `<id>`: its origin, home page and agent as above, and its channel blocks. */
export const suiteSite = (id: string, channels: Record<string, unknown>) => ({
  id,
  name: `The ${id}`,
  origins: [`https://${id}.example`],
  url: `https://${id}.example/`,
  agents: [{ email: `agent@${id}.example`, name: `Agent of ${id}`, passwordHash }],
  ...channels,
});

/** Limits no suite reaches: it sends many requests from one address, fast. */
const loose = { limit: 100_000, windowMs: 60_000 };
export const SUITE_LIMITS = {
  startPerIp: loose,
  requestsPerIp: loose,
  loginPerIp: loose,
  messagesPerConversation: loose,
};
