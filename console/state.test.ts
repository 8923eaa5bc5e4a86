import { describe, expect, it, vi } from "vitest";
import type { Conversation, ThreadEvent } from "../sdk/protocol.ts";
import { type Api, ApiError } from "./api.ts";
import type { Live, LiveOptions } from "./live.ts";
import {
  applyEvent,
  createConsole,
  displayName,
  inboxList,
  isUnread,
  type KeyValue,
  mergeConversation,
  mergeEvents,
  replyChannels,
} from "./state.ts";

function conversation(patch: Partial<Conversation> = {}): Conversation {
  return {
    id: "c1",
    siteId: "demo",
    contactId: "k1abcdef",
    status: "open",
    activeChannel: "web",
    channels: [{ channel: "web", linkedAt: "2030-01-01T10:00:00.000Z" }],
    context: {},
    createdAt: "2030-01-01T10:00:00.000Z",
    updatedAt: "2030-01-01T10:00:00.000Z",
    lastSeq: 0,
    ...patch,
  };
}

function event(seq: number, patch: Partial<ThreadEvent> = {}): ThreadEvent {
  return {
    id: `c1:${seq}`,
    seq,
    type: "message",
    channel: "web",
    author: { role: "visitor" },
    text: `message ${seq}`,
    createdAt: `2030-01-01T10:0${seq}:00.000Z`,
    ...patch,
  };
}

describe("the inbox mirror", () => {
  it("applies an event as the server does: preview, active channel, reopening", () => {
    const resolved = conversation({ status: "resolved", lastSeq: 2 });
    const next = applyEvent(resolved, event(3, { channel: "messenger" }));
    expect(next).toMatchObject({
      status: "open",
      lastSeq: 3,
      lastText: "message 3",
      activeChannel: "messenger",
      updatedAt: "2030-01-01T10:03:00.000Z",
    });
    const noted = applyEvent(next, event(4, { type: "note", author: { role: "agent" } }));
    expect(noted).toMatchObject({ lastSeq: 4, lastText: "message 3" });
    // An event already counted changes nothing.
    expect(applyEvent(noted, event(2))).toBe(noted);
  });

  it("never lets an older snapshot roll a conversation back", () => {
    const known = conversation({ lastSeq: 5, lastText: "newest", status: "open" });
    const older = conversation({ lastSeq: 3, lastText: "old", status: "pending", assignee: "a@x" });
    expect(mergeConversation(known, older)).toMatchObject({
      lastSeq: 5,
      lastText: "newest",
      status: "pending",
      assignee: "a@x",
    });
    const newer = conversation({ lastSeq: 6, lastText: "newer" });
    expect(mergeConversation(known, newer)).toBe(newer);
  });

  it("merges events by seq, each once, in order", () => {
    const merged = mergeEvents([event(1), event(3)], [event(2), event(3, { text: "again" })]);
    expect(merged.map((e) => [e.seq, e.text])).toEqual([
      [1, "message 1"],
      [2, "message 2"],
      [3, "message 3"],
    ]);
  });

  it("filters by status, channel and owner, newest first", () => {
    const all = {
      a: conversation({ id: "a", updatedAt: "2030-01-01T10:01:00Z", assignee: "me@x" }),
      b: conversation({ id: "b", updatedAt: "2030-01-01T10:03:00Z", activeChannel: "email" }),
      c: conversation({ id: "c", updatedAt: "2030-01-01T10:02:00Z", status: "resolved" }),
      d: conversation({ id: "d", updatedAt: "2030-01-01T10:04:00Z", assignee: "other@x" }),
    };
    const ids = (f: Parameters<typeof inboxList>[1]) => inboxList(all, f, "me@x").map((c) => c.id);
    expect(ids({ status: "open", channel: "all", owner: "all" })).toEqual(["d", "b", "a"]);
    expect(ids({ status: "open", channel: "email", owner: "all" })).toEqual(["b"]);
    expect(ids({ status: "open", channel: "all", owner: "mine" })).toEqual(["a"]);
    expect(ids({ status: "open", channel: "all", owner: "unassigned" })).toEqual(["b"]);
    expect(ids({ status: "resolved", channel: "all", owner: "all" })).toEqual(["c"]);
  });

  it("knows unread, names and reply channels", () => {
    const c = conversation({
      lastSeq: 4,
      activeChannel: "messenger",
      channels: [
        { channel: "web", linkedAt: "" },
        { channel: "messenger", linkedAt: "" },
      ],
    });
    expect(isUnread(c, {})).toBe(true);
    expect(isUnread(c, { c1: 4 })).toBe(false);
    expect(isUnread(conversation(), {})).toBe(false);
    expect(displayName(c)).toBe("Visitor k1abcd");
    expect(displayName(c, null, { k1abcdef: "Ana" })).toBe("Ana");
    expect(displayName(conversation({ context: { attributes: { email: "a@b.c" } } }))).toBe(
      "a@b.c",
    );
    expect(replyChannels(c)).toEqual(["messenger", "web"]);
  });
});

function memory(): KeyValue {
  const map = new Map<string, string>();
  return {
    getItem: (k) => map.get(k) ?? null,
    setItem: (k, v) => void map.set(k, v),
    removeItem: (k) => void map.delete(k),
  };
}

function setup() {
  let options: LiveOptions | null = null;
  const sent: unknown[] = [];
  const live: Live = {
    send: (frame) => {
      sent.push(frame);
      return true;
    },
    retry: () => undefined,
    close: () => undefined,
  };
  const api = {
    login: vi.fn(async () => ({
      token: "t",
      agent: { email: "agent@example.com", name: "Alex", siteId: "demo" },
    })),
    inbox: vi.fn(async () => ({ conversations: [conversation({ lastSeq: 2 })] })),
    thread: vi.fn(async () => ({
      conversation: conversation({ lastSeq: 2 }),
      contact: {
        id: "k1abcdef",
        siteId: "demo",
        name: "Ana",
        identities: [],
        attributes: {},
        createdAt: "",
      },
      events: [event(1), event(2)],
      callbacks: [],
    })),
    reply: vi.fn(async () => ({
      event: event(3, { author: { role: "agent", name: "Alex" } }),
      deliveredVia: "web" as const,
    })),
    note: vi.fn(),
    update: vi.fn(async () => ({ conversation: conversation({ lastSeq: 3, status: "resolved" }) })),
    agents: vi.fn(async () => {
      throw new ApiError("not_found", "Not found", 404);
    }),
  };
  let visible = true;
  const local = memory();
  const app = createConsole({
    api: api as unknown as Api,
    connect: (o) => {
      options = o;
      return live;
    },
    liveUrl: "ws://x/v1/agent/live",
    session: memory(),
    local,
    visible: () => visible,
    navigate: () => undefined,
  });
  return {
    app,
    api,
    sent,
    local,
    live: () => options!,
    hide: (hidden: boolean) => {
      visible = !hidden;
    },
  };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe("the console controller", () => {
  it("logs in, loads the inbox, opens a thread and marks it seen", async () => {
    const t = setup();
    await t.app.login("agent@example.com", "pw");
    await settle();
    expect(t.app.state.session?.agent.name).toBe("Alex");
    expect(t.app.state.agents).toEqual([
      { email: "agent@example.com", name: "Alex", status: "online" },
    ]);
    expect(isUnread(t.app.state.conversations.c1!, t.app.state.seen)).toBe(true);
    expect(t.app.move(1)).toBe("c1");
    await settle();
    expect(t.app.state.thread?.events.map((e) => e.seq)).toEqual([1, 2]);
    expect(t.app.state.names.k1abcdef).toBe("Ana");
    expect(t.app.state.seen.c1).toBe(2);
    expect(t.local.getItem("omnithread:console:seen:agent@example.com")).toBe('{"c1":2}');
  });

  it("appends live events once, counts arrivals while hidden, and shows typing", async () => {
    const t = setup();
    await t.app.login("agent@example.com", "pw");
    t.app.select("c1");
    await settle();
    const frame = { type: "event" as const, conversationId: "c1", event: event(3) };
    t.live().frame(frame);
    t.live().frame(frame);
    expect(t.app.state.thread?.events.map((e) => e.seq)).toEqual([1, 2, 3]);
    expect(t.app.state.conversations.c1?.lastText).toBe("message 3");

    t.hide(true);
    t.live().frame({ type: "event", conversationId: "c1", event: event(4) });
    t.live().frame({ type: "conversation", conversation: conversation({ id: "c2" }) });
    expect(t.app.state.hidden).toBe(2);
    expect(t.app.state.seen.c1).toBe(3);
    t.hide(false);
    t.app.visibility(true);
    expect(t.app.state.hidden).toBe(0);
    expect(t.app.state.seen.c1).toBe(4);

    t.live().frame({ type: "typing", conversationId: "c1", author: { role: "visitor" } });
    expect(t.app.state.typing.c1).toBeGreaterThan(Date.now());
    t.live().frame({ type: "event", conversationId: "c1", event: event(5) });
    expect(t.app.state.typing.c1).toBeUndefined();
  });

  it("replies, throttles typing frames, resolves and reports presence", async () => {
    const t = setup();
    await t.app.login("agent@example.com", "pw");
    t.app.select("c1");
    await settle();
    await t.app.reply("Hello", "console-1");
    expect(t.api.reply).toHaveBeenCalledWith("c1", { text: "Hello", clientId: "console-1" });
    expect(t.app.state.thread?.events.at(-1)?.seq).toBe(3);

    t.app.typing();
    t.app.typing();
    expect(t.sent).toEqual([{ type: "typing", conversationId: "c1" }]);

    await t.app.resolve();
    expect(t.app.state.thread?.conversation?.status).toBe("resolved");
    expect(t.api.update).toHaveBeenCalledWith("c1", { status: "resolved" });

    t.app.setPresence("away");
    expect(t.sent.at(-1)).toEqual({ type: "presence", status: "away" });
    t.live().ready(true);
    expect(t.sent.at(-1)).toEqual({ type: "presence", status: "away" });
    expect(t.api.inbox).toHaveBeenCalledTimes(2);
  });

  it("goes back to the login form when the token is refused", async () => {
    const t = setup();
    await t.app.login("agent@example.com", "pw");
    t.live().unauthorized("expired");
    expect(t.app.state.session).toBeNull();
    expect(t.app.state.notice).toMatch(/log in again/);
  });
});
