import { describe, expect, it } from "vitest";
import type { ThreadEvent } from "../../sdk/protocol.ts";
import { createCursor } from "./cursor.ts";

const event = (seq: number): ThreadEvent => ({
  id: `c:${seq}`,
  seq,
  type: "message",
  channel: "web",
  author: { role: "visitor" },
  text: `m${seq}`,
  createdAt: new Date(0).toISOString(),
});

function logOf(n: number) {
  const log = Array.from({ length: n }, (_, i) => event(i + 1));
  const reads: number[] = [];
  return {
    log,
    reads,
    load: async (after: number) => {
      reads.push(after);
      return log.slice(after, after + 2); // small pages, to exercise paging
    },
  };
}

describe("createCursor", () => {
  it("catches up from the starting seq in pages, then stops", async () => {
    const { load } = logOf(5);
    const got: number[] = [];
    const cursor = createCursor(1, load, (e) => got.push(e.seq));
    await cursor.catchUp();
    expect(got).toEqual([2, 3, 4, 5]);
    expect(cursor.lastSeq).toBe(5);
  });

  it("drops live events it already delivered", async () => {
    const { load } = logOf(3);
    const got: number[] = [];
    const cursor = createCursor(0, load, (e) => got.push(e.seq));
    await cursor.catchUp();
    await cursor.push(event(2));
    await cursor.push(event(3));
    expect(got).toEqual([1, 2, 3]);
  });

  it("fills a gap from the log before delivering an early live event", async () => {
    const source = logOf(6);
    const got: number[] = [];
    const cursor = createCursor(0, source.load, (e) => got.push(e.seq));
    await cursor.push(event(1));
    await cursor.push(event(5));
    await cursor.push(event(6));
    expect(got).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("keeps order when pushes and a catch-up race", async () => {
    const source = logOf(4);
    const got: number[] = [];
    const cursor = createCursor(0, source.load, (e) => got.push(e.seq));
    await Promise.all([cursor.push(event(4)), cursor.catchUp(), cursor.push(event(2))]);
    expect(got).toEqual([1, 2, 3, 4]);
  });

  it("retries the gap on the next event when a read fails", async () => {
    const source = logOf(3);
    let fail = true;
    const got: number[] = [];
    const cursor = createCursor(
      0,
      async (after) => {
        if (fail) throw new Error("store down");
        return source.load(after);
      },
      (e) => got.push(e.seq),
    );
    await cursor.push(event(2));
    expect(got).toEqual([]);
    fail = false;
    await cursor.push(event(3));
    expect(got).toEqual([1, 2, 3]);
  });
});
