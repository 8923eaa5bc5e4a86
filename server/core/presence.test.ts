import { afterEach, describe, expect, it, vi } from "vitest";
import { memoryStore } from "../store/memory.ts";
import { createPresence, PRESENCE_REFRESH_MS, PRESENCE_TTL_MS } from "./presence.ts";

afterEach(() => {
  vi.useRealTimers();
});

describe("presence", () => {
  it("refreshes only while an agent's socket is held, and keeps no timer when idle", async () => {
    vi.useFakeTimers();
    const store = memoryStore();
    const presence = createPresence({ store, now: Date.now });
    expect(vi.getTimerCount()).toBe(0);
    const leave = await presence.join("demo", "agent@example.com");
    expect(vi.getTimerCount()).toBe(1);
    // Past the first expiry, the refresh has kept the agent online.
    await vi.advanceTimersByTimeAsync(PRESENCE_TTL_MS + PRESENCE_REFRESH_MS);
    expect(await presence.list("demo")).toEqual({ "agent@example.com": "online" });
    await leave();
    expect(vi.getTimerCount()).toBe(0);
    expect(await presence.list("demo")).toEqual({});
    presence.close();
  });
});
