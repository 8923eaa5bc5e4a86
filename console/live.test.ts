import { describe, expect, it } from "vitest";
import type { ServerFrame } from "../sdk/protocol.ts";
import { connectLive, type LiveStatus, type SocketLike } from "./live.ts";

class FakeSocket implements SocketLike {
  readyState = 0;
  sent: unknown[] = [];
  closed = false;
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: { code: number }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  send(data: string) {
    this.sent.push(JSON.parse(data));
  }
  close() {
    this.closed = true;
    this.readyState = 3;
  }
  open() {
    this.readyState = 1;
    this.onopen?.({});
  }
  receive(frame: unknown) {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }
  drop(code = 1006) {
    this.readyState = 3;
    this.onclose?.({ code });
  }
}

function harness() {
  const sockets: FakeSocket[] = [];
  const timers: { fn: () => void; ms: number }[] = [];
  const frames: ServerFrame[] = [];
  const statuses: LiveStatus[] = [];
  const readies: boolean[] = [];
  const refused: string[] = [];
  const live = connectLive({
    url: "ws://console.test/v1/agent/live",
    token: "agent-token",
    frame: (f) => frames.push(f),
    status: (s) => statuses.push(s),
    ready: (again) => readies.push(again),
    unauthorized: (m) => refused.push(m),
    socket: () => {
      const s = new FakeSocket();
      sockets.push(s);
      return s;
    },
    random: () => 1,
    setTimeout: (fn, ms) => timers.push({ fn, ms }),
    clearTimeout: () => undefined,
  });
  return { live, sockets, timers, frames, statuses, readies, refused };
}

describe("the agent socket", () => {
  it("says hello with the token first, then hands frames on", () => {
    const h = harness();
    const socket = h.sockets[0]!;
    socket.open();
    expect(socket.sent).toEqual([{ type: "hello", token: "agent-token" }]);
    socket.receive({ type: "ready" });
    expect(h.statuses).toEqual(["connecting", "online"]);
    expect(h.readies).toEqual([false]);
    socket.receive({ type: "typing", conversationId: "c1", author: { role: "visitor" } });
    socket.onmessage?.({ data: "not json" });
    expect(h.frames).toEqual([
      { type: "typing", conversationId: "c1", author: { role: "visitor" } },
    ]);
    expect(h.live.send({ type: "typing", conversationId: "c1" })).toBe(true);
    expect(socket.sent.at(-1)).toEqual({ type: "typing", conversationId: "c1" });
  });

  it("reconnects with growing delays and reports the reconnect once ready", () => {
    const h = harness();
    h.sockets[0]!.open();
    h.sockets[0]!.receive({ type: "ready" });
    h.sockets[0]!.drop();
    expect(h.statuses.at(-1)).toBe("offline");
    expect(h.live.send({ type: "typing", conversationId: "c1" })).toBe(false);
    expect(h.timers.map((t) => t.ms)).toEqual([500]);
    h.timers[0]!.fn();
    h.sockets[1]!.drop();
    expect(h.timers.map((t) => t.ms)).toEqual([500, 1000]);
    h.timers[1]!.fn();
    h.sockets[2]!.open();
    h.sockets[2]!.receive({ type: "ready" });
    expect(h.readies).toEqual([false, true]);
    h.sockets[2]!.drop();
    // A successful hello resets the backoff.
    expect(h.timers.at(-1)!.ms).toBe(500);
  });

  it("stops for good when the token is refused", () => {
    const h = harness();
    h.sockets[0]!.open();
    h.sockets[0]!.receive({
      type: "error",
      error: { code: "token_expired", message: "The token has expired" },
    });
    h.sockets[0]!.drop(1008);
    expect(h.refused).toEqual(["The token has expired"]);
    expect(h.timers).toEqual([]);
    expect(h.sockets[0]!.closed).toBe(true);
  });

  it("closes without reconnecting, and retries at once when asked", () => {
    const h = harness();
    h.sockets[0]!.drop();
    h.live.retry();
    expect(h.sockets).toHaveLength(2);
    h.live.close();
    expect(h.sockets[1]!.closed).toBe(true);
    h.sockets[1]!.drop();
    h.live.retry();
    expect(h.sockets).toHaveLength(2);
  });
});
