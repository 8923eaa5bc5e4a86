import { describe, expect, it } from "vitest";
import { memoryStore } from "../store/memory.ts";
import type { LiveNotice, NoticeScope, Store } from "../store/types.ts";
import { createHub } from "./hub.ts";

/** A memory store that records every subscription it is asked for. */
function countingStore() {
  const store = memoryStore();
  const scopes: Array<NoticeScope | undefined> = [];
  let open = 0;
  const counted: Store = {
    ...store,
    async subscribe(listener, scope) {
      scopes.push(scope);
      open += 1;
      const stop = await store.subscribe(listener, scope);
      return () => {
        open -= 1;
        stop();
      };
    },
  };
  return { store: counted, scopes, open: () => open };
}

const typing = (siteId: string, conversationId: string): LiveNotice => ({
  kind: "typing",
  siteId,
  conversationId,
  author: { role: "visitor" },
});

describe("the hub", () => {
  it("shares one subscription per instance and routes by conversation and site", async () => {
    const { store, scopes, open } = countingStore();
    const hub = createHub(store);
    const heard: string[] = [];
    const stops = await Promise.all([
      hub.watchConversation("demo", "c1", () => heard.push("c1")),
      hub.watchConversation("demo", "c2", () => heard.push("c2")),
      hub.watchSite("demo", () => heard.push("team")),
    ]);
    await store.publish(typing("demo", "c1"));
    expect(heard).toEqual(["c1", "team"]);
    expect(scopes).toEqual([undefined]);
    for (const stop of stops) stop();
    expect(hub.size).toBe(0);
    hub.close();
    await new Promise((r) => setTimeout(r, 0));
    expect(open()).toBe(0);
  });

  it("gives each watch a subscription of its own scope in connection mode", async () => {
    const { store, scopes, open } = countingStore();
    const hub = createHub(store, { subscriptions: "connection" });
    const heard: string[] = [];
    const visitor = await hub.watchConversation("demo", "c1", () => heard.push("c1"));
    const agent = await hub.watchSite("demo", () => heard.push("team"));
    expect(scopes).toEqual([{ siteId: "demo", conversationId: "c1" }, { siteId: "demo" }]);
    await store.publish(typing("demo", "c2"));
    await store.publish(typing("other", "c1"));
    expect(heard).toEqual(["team"]);
    expect(hub.size).toBe(2);
    visitor();
    expect(open()).toBe(1);
    hub.close();
    expect(open()).toBe(0);
    agent(); // after close: nothing left to stop, and no throw
  });

  it("tries the bus again after a failed subscription", async () => {
    const { store } = countingStore();
    let fail = true;
    const flaky: Store = {
      ...store,
      subscribe: (listener, scope) =>
        fail ? Promise.reject(new Error("bus down")) : store.subscribe(listener, scope),
    };
    const hub = createHub(flaky);
    await expect(hub.watchSite("demo", () => {})).rejects.toThrow("bus down");
    expect(hub.size).toBe(0);
    fail = false;
    const stop = await hub.watchSite("demo", () => {});
    expect(hub.size).toBe(1);
    stop();
  });
});
