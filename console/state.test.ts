import { describe, expect, it } from "vitest";
import type { CallbackRequest, Contact, Conversation, ThreadEvent } from "../sdk/protocol.ts";
import {
  applyEvent,
  displayName,
  dueReminders,
  inboxList,
  isUnread,
  mergeConversation,
  mergeEvents,
  pathOf,
  replyChannels,
  routeOf,
  type Thread,
  withContact,
  withoutConversations,
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
    // A callback's number is linked, but replies cannot go to a phone call.
    const called = conversation({
      channels: [
        { channel: "web", linkedAt: "" },
        { channel: "callback", address: "+31612345678", linkedAt: "" },
      ],
    });
    expect(replyChannels(called)).toEqual(["web"]);
  });
});

describe("routes and reminders", () => {
  it("reads and writes the console's addresses", () => {
    expect(routeOf("/console/")).toEqual({ view: "inbox", id: null });
    expect(routeOf("/console/c/a%2Fb")).toEqual({ view: "inbox", id: "a/b" });
    expect(routeOf("/console/callbacks")).toEqual({ view: "callbacks", id: null });
    expect(routeOf("/console/c/%E0%A4%A")).toEqual({ view: "inbox", id: null });
    expect(routeOf("/console/elsewhere")).toEqual({ view: "inbox", id: null });
    for (const route of [
      { view: "inbox", id: null },
      { view: "inbox", id: "a/b" },
      { view: "callbacks", id: null },
    ] as const) {
      expect(routeOf(pathOf(route))).toEqual(route);
    }
  });

  it("reminds of announced callbacks only while they are active and unclaimed", () => {
    const base = { status: "requested", version: 1 } as CallbackRequest;
    const callbacks: Record<string, CallbackRequest> = {
      a: { ...base, id: "a" },
      b: { ...base, id: "b", claimedBy: { email: "me@x", name: "Me" } },
      c: { ...base, id: "c", status: "missed" },
      d: { ...base, id: "d" },
    };
    const due = dueReminders({ reminders: ["d", "b", "c", "a", "gone"], callbacks });
    expect(due.map((c) => c.id)).toEqual(["d", "a"]);
  });
});

describe("the customer card", () => {
  const contact = (id: string, attributes: Contact["attributes"]): Contact => ({
    id,
    siteId: "demo",
    identities: [],
    attributes,
    createdAt: "2030-01-01T10:00:00.000Z",
  });
  const thread = (of: Contact): Thread => ({
    id: "c1",
    loading: false,
    error: null,
    conversation: conversation(),
    contact: of,
    events: [],
    callbacks: [],
  });

  it("takes the CRM's new attributes for the open thread's contact, and only for it", () => {
    const open = thread(contact("k1", { orders: 1 }));
    expect(
      withContact(open, contact("k1", { orders: 4, plan: "pro" }))?.contact?.attributes,
    ).toEqual({ orders: 4, plan: "pro" });
    expect(withContact(open, contact("k2", { orders: 9 }))).toBe(open);
    expect(withContact(null, contact("k1", {}))).toBeNull();
  });

  it("drops erased conversations from the inbox, typing, the queue, reminders and the pane", () => {
    const cb = (id: string, conversationId: string) =>
      ({ id, conversationId, status: "requested", version: 1 }) as CallbackRequest;
    const open = thread(contact("k1", {}));
    const before = {
      conversations: { c1: conversation(), c2: conversation({ id: "c2" }) },
      typing: { c1: 99, c2: 99 },
      callbacks: { a: cb("a", "c1"), b: cb("b", "c2") },
      reminders: ["a", "b"],
      thread: open,
    };
    const after = withoutConversations(before, new Set(["c1"]));
    expect(Object.keys(after.conversations)).toEqual(["c2"]);
    expect(after.typing).toEqual({ c2: 99 });
    expect(Object.keys(after.callbacks)).toEqual(["b"]);
    expect(after.reminders).toEqual(["b"]);
    expect(after.thread).toBeNull();
    // A teammate's conversation erased: the open one stays.
    expect(withoutConversations(before, new Set(["c2"])).thread).toBe(open);
  });
});
