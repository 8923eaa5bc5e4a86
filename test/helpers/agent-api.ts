import { expect } from "vitest";
import type { Conversation, ThreadEvent } from "../../sdk/protocol.ts";
import { api } from "./omnithread.ts";

/** Logs an agent in with the demo's password (every suite's sites use it); answers the token. */
export async function loginAgent(base: string, email = "agent@example.com"): Promise<string> {
  const login = await api<{ token: string }>(base, "/v1/agent/login", {
    body: { email, password: "omnithread-demo" },
  });
  expect(login.status).toBe(200);
  return login.body.token;
}

export interface AgentThread {
  conversation: Conversation;
  events: ThreadEvent[];
}

/** A thread as the agent sees it, through the agent API. */
export async function agentThread(
  base: string,
  token: string,
  conversationId: string,
): Promise<AgentThread> {
  const res = await api<AgentThread>(base, `/v1/agent/conversations/${conversationId}`, { token });
  expect(res.status).toBe(200);
  return res.body;
}

/** The agent's inbox, newest first. */
export async function agentInbox(base: string, token: string): Promise<Conversation[]> {
  const res = await api<{ conversations: Conversation[] }>(
    base,
    "/v1/agent/conversations?limit=50",
    { token },
  );
  expect(res.status).toBe(200);
  return res.body.conversations;
}

/** Polls `read` until `ok` holds (the server stores, then answers; pages poll). */
export async function until<T>(
  read: () => Promise<T>,
  ok: (value: T) => boolean,
  what: string,
): Promise<T> {
  let value = await read();
  for (let i = 0; i < 50 && !ok(value); i++) {
    await new Promise((r) => setTimeout(r, 100));
    value = await read();
  }
  if (!ok(value)) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
  return value;
}

export interface FeedItem {
  cursor: string;
  type: string;
  data: { conversationId?: string; event?: ThreadEvent };
}

/** The site feed's items about one conversation, oldest first, read page by page to the end. */
export async function feedOf(
  base: string,
  token: string,
  conversationId: string,
): Promise<FeedItem[]> {
  const items: FeedItem[] = [];
  let after = "";
  for (;;) {
    const page = await api<{ events: FeedItem[]; next: string }>(
      base,
      `/v1/agent/events?limit=500${after ? `&after=${after}` : ""}`,
      { token },
    );
    expect(page.status).toBe(200);
    items.push(...page.body.events.filter((item) => item.data.conversationId === conversationId));
    if (page.body.events.length < 500) return items;
    after = page.body.next;
  }
}
