import { describe, expect, it } from "vitest";
import type { Agent } from "../../sdk/protocol.ts";
import { memoryStore } from "../store/memory.ts";
import { createThreads } from "./threads.ts";

const alex: Agent = { email: "alex@example.com", name: "Alex", siteId: "demo" };

function setup() {
  let n = 0;
  const store = memoryStore();
  return {
    store,
    threads: createThreads({
      store,
      site: () => ({ id: "demo", name: "Demo", origins: [], locale: "en", agents: [] }),
      now: () => 1_700_000_000_000 + n * 1000,
      newId: () => `id${++n}`,
    }),
  };
}

describe("thread engine", () => {
  it("resumes the thread a claim points at instead of forking a new one", async () => {
    const { threads } = setup();
    const { conversation } = await threads.start("demo", null, { url: "https://s.example/a" });
    const claim = {
      conversationId: conversation.id,
      contactId: conversation.contactId,
      siteId: "demo",
    };
    const again = await threads.start("demo", claim, { url: "https://s.example/b" });
    expect(again.created).toBe(false);
    expect(again.conversation.id).toBe(conversation.id);
    expect(again.conversation.context.pages?.map((p) => p.url)).toEqual([
      "https://s.example/a",
      "https://s.example/b",
    ]);
  });

  it("starts afresh when the claimed thread is gone or belongs to another contact", async () => {
    const { threads } = setup();
    const { conversation } = await threads.start("demo", null);
    const stale = { conversationId: "missing", contactId: conversation.contactId, siteId: "demo" };
    expect((await threads.start("demo", stale)).created).toBe(true);
    const stolen = { conversationId: conversation.id, contactId: "someone-else", siteId: "demo" };
    const result = await threads.start("demo", stolen);
    expect(result.created).toBe(true);
    expect(result.conversation.id).not.toBe(conversation.id);
  });

  it("refuses a claim of another site", async () => {
    const { threads } = setup();
    const { conversation } = await threads.start("demo", null);
    const claim = {
      conversationId: conversation.id,
      contactId: conversation.contactId,
      siteId: "other",
    };
    await expect(threads.start("demo", claim)).rejects.toMatchObject({ code: "wrong_site" });
  });

  it("records status and assignment changes as system events, notes only for agents", async () => {
    const { threads } = setup();
    const { conversation } = await threads.start("demo", null);
    await threads.addNote(conversation.id, alex, "check the refund");
    await threads.update(conversation.id, alex, {
      status: "resolved",
      assignee: { email: alex.email, name: alex.name },
    });
    const updated = await threads.update(conversation.id, alex, { status: "open" });
    expect(updated).toMatchObject({ status: "open", assignee: alex.email });
    const all = await threads.eventsAfter(conversation.id, 0, "agent");
    expect(all.map((e) => e.name ?? e.type)).toEqual([
      "note",
      "conversation.resolved",
      "conversation.assigned",
      "conversation.reopened",
    ]);
    const visible = await threads.eventsAfter(conversation.id, 0, "visitor");
    expect(visible.map((e) => e.name)).toEqual(["conversation.resolved", "conversation.reopened"]);
  });

  it("announces conversation changes to live listeners", async () => {
    const { store, threads } = setup();
    const heard: string[] = [];
    await store.subscribe((n) => heard.push(n.kind));
    const { conversation } = await threads.start("demo", null);
    await threads.update(conversation.id, alex, { status: "pending" });
    expect(heard).toEqual(["conversation", "event", "conversation"]);
  });
});
