import { describe, expect, it } from "vitest";
import type { CallbackRequest } from "../sdk/protocol.ts";
import {
  callbackQueue,
  callbackUrgency,
  fromLocalInput,
  mergeCallback,
  momentText,
  span,
  telHref,
  toLocalInput,
  windowText,
  withCallback,
  zonedMoment,
  zonedWindow,
} from "./callbacks.ts";

const at = (iso: string) => Date.parse(iso);
const MIN = 60_000;

function callback(patch: Partial<CallbackRequest> = {}): CallbackRequest {
  return {
    id: "cb1",
    siteId: "demo",
    conversationId: "c1",
    contactId: "k1",
    phone: "+31612345678",
    window: { from: "2030-03-05T13:00:00.000Z", to: "2030-03-05T14:00:00.000Z" },
    asap: false,
    timeZone: "Europe/Amsterdam",
    status: "requested",
    version: 1,
    createdAt: "2030-03-05T08:00:00.000Z",
    updatedAt: "2030-03-05T08:00:00.000Z",
    ...patch,
  };
}

const gb = (timeZone: string) => ({ timeZone, locale: "en-GB" });

describe("windows across zones", () => {
  const now = at("2030-03-05T08:00:00Z");
  const window = { from: "2030-03-05T13:00:00Z", to: "2030-03-05T14:00:00Z" };

  it("says the window as the reader's clock does, with today and tomorrow", () => {
    expect(windowText(window, now, gb("Europe/Amsterdam"))).toBe("Today, 14:00–15:00");
    expect(windowText(window, now, gb("America/New_York"))).toBe("Today, 08:00–09:00");
    // 21:00 on the 5th in Auckland now: the window is after its midnight.
    expect(windowText(window, now, gb("Pacific/Auckland"))).toBe("Tomorrow, 02:00–03:00");
    expect(windowText(window, at("2030-03-03T08:00:00Z"), gb("Europe/Amsterdam"))).toBe(
      "Tue 5 Mar, 14:00–15:00",
    );
    expect(
      windowText(
        { from: "2030-03-06T09:00:00Z", to: "2030-03-06T10:00:00Z" },
        now,
        gb("Europe/Amsterdam"),
      ),
    ).toBe("Tomorrow, 10:00–11:00");
    expect(
      windowText(
        { from: "2031-01-02T09:00:00Z", to: "2031-01-02T10:00:00Z" },
        now,
        gb("Europe/Amsterdam"),
      ),
    ).toBe("Thu, 2 Jan 2031, 10:00–11:00");
  });

  it("names both days when the window spans midnight there", () => {
    const late = { from: "2030-03-05T22:30:00Z", to: "2030-03-05T23:30:00Z" };
    expect(windowText(late, now, gb("Europe/Amsterdam"))).toBe("Today, 23:30 – Tomorrow, 00:30");
    expect(windowText(late, now, gb("UTC"))).toBe("Today, 22:30–23:30");
  });

  it("follows daylight saving time in each zone", () => {
    // Amsterdam moves to summer time on 31 March 2030; New York did on 10 March.
    const before = at("2030-03-20T12:00:00Z");
    const window = { from: "2030-03-20T13:00:00Z", to: "2030-03-20T14:00:00Z" };
    expect(windowText(window, before, gb("Europe/Amsterdam"))).toBe("Today, 14:00–15:00");
    expect(windowText(window, before, gb("America/New_York"))).toBe("Today, 09:00–10:00");
  });

  it("adds the visitor's reading only when their clock shows something else", () => {
    expect(zonedWindow(window, now, gb("America/New_York"), "Europe/Amsterdam")).toEqual({
      agent: "Today, 08:00–09:00",
      visitor: "Today, 14:00–15:00",
    });
    // Berlin and Amsterdam share their clocks: one reading.
    expect(zonedWindow(window, now, gb("Europe/Berlin"), "Europe/Amsterdam")).toEqual({
      agent: "Today, 14:00–15:00",
    });
    // A zone this browser does not know: the agent's reading alone.
    expect(zonedWindow(window, now, gb("UTC"), "Mars/Olympus_Mons")).toEqual({
      agent: "Today, 13:00–14:00",
    });
    expect(zonedMoment("2030-03-05T13:30:00Z", now, gb("UTC"), "Europe/Amsterdam")).toEqual({
      agent: "Today, 13:30",
      visitor: "Today, 14:30",
    });
  });

  it("leaves bad dates empty", () => {
    expect(momentText("soon", now, gb("UTC"))).toBe("");
    expect(windowText({ from: "x", to: "y" }, now, gb("UTC"))).toBe("");
  });
});

describe("spans", () => {
  it.each([
    [20_000, "less than a minute"],
    [5 * MIN, "5 min"],
    [4.6 * MIN, "5 min"],
    [60 * MIN, "1 h"],
    [80 * MIN, "1 h 20 min"],
    [50 * 60 * MIN, "2 d"],
  ])("%d ms is %s", (ms, text) => {
    expect(span(ms)).toBe(text);
  });
});

describe("due and overdue, on a fixed clock", () => {
  const from = at("2030-03-05T13:00:00Z");
  const me = { email: "me@x", name: "Me" };

  it("leaves an unclaimed one alone until the reminder lead time", () => {
    expect(callbackUrgency(callback(), from - 11 * MIN)).toBeNull();
    expect(callbackUrgency(callback(), from - 10 * MIN)).toEqual({
      kind: "due",
      text: "starts in 10 min, unclaimed",
    });
    expect(callbackUrgency(callback(), from - 5 * MIN)).toEqual({
      kind: "due",
      text: "starts in 5 min, unclaimed",
    });
    // Another lead time; or the server's reminder, sent by the site's own remindMinutes.
    expect(callbackUrgency(callback(), from - 14 * MIN, 15 * MIN)?.kind).toBe("due");
    const reminded = callback({ remindedAt: "2030-03-05T12:30:00Z" });
    expect(callbackUrgency(reminded, from - 30 * MIN)).toEqual({
      kind: "due",
      text: "starts in 30 min, unclaimed",
    });
  });

  it("calls an unclaimed one overdue once its window has begun", () => {
    expect(callbackUrgency(callback(), from)).toEqual({
      kind: "overdue",
      text: "started less than a minute ago, unclaimed",
    });
    expect(callbackUrgency(callback(), from + 25 * MIN)?.text).toBe(
      "started 25 min ago, unclaimed",
    );
    expect(callbackUrgency(callback(), from + 70 * MIN)?.text).toBe(
      "window ended 10 min ago, unclaimed",
    );
    // "As soon as possible" starts at the request: it needs someone at once.
    const asap = callback({
      asap: true,
      window: { from: "2030-03-05T08:00:00Z", to: "2030-03-05T10:00:00Z" },
    });
    expect(callbackUrgency(asap, at("2030-03-05T08:03:00Z"))?.text).toBe(
      "started 3 min ago, unclaimed",
    );
  });

  it("lets a claimed one be until its window or agreed time has passed", () => {
    const claimed = callback({ claimedBy: me });
    expect(callbackUrgency(claimed, from - 5 * MIN)).toBeNull();
    expect(callbackUrgency(claimed, from + 30 * MIN)).toBeNull();
    expect(callbackUrgency(claimed, from + 75 * MIN)).toEqual({
      kind: "overdue",
      text: "window ended 15 min ago",
    });
    const scheduled = callback({
      claimedBy: me,
      status: "scheduled",
      scheduledFor: "2030-03-05T13:40:00Z",
    });
    expect(callbackUrgency(scheduled, from + 30 * MIN)).toBeNull();
    expect(callbackUrgency(scheduled, from + 52 * MIN)).toEqual({
      kind: "overdue",
      text: "overdue by 12 min",
    });
  });

  it("never flags a final one", () => {
    for (const status of ["completed", "missed", "cancelled"] as const) {
      expect(callbackUrgency(callback({ status }), from + 5 * MIN)).toBeNull();
    }
  });
});

describe("the queue", () => {
  const all = {
    a: callback({ id: "a", window: { from: "2030-03-05T15:00:00Z", to: "2030-03-05T16:00:00Z" } }),
    b: callback({ id: "b", window: { from: "2030-03-05T12:00:00Z", to: "2030-03-05T13:00:00Z" } }),
    // Scheduled for 14:00: it goes by the agreed time, not its window's start (11:00).
    c: callback({
      id: "c",
      status: "scheduled",
      scheduledFor: "2030-03-05T14:00:00Z",
      window: { from: "2030-03-05T11:00:00Z", to: "2030-03-05T17:00:00Z" },
    }),
    d: callback({ id: "d", status: "completed", updatedAt: "2030-03-05T09:00:00Z" }),
    e: callback({ id: "e", status: "completed", updatedAt: "2030-03-05T10:00:00Z" }),
    f: callback({ id: "f", status: "missed" }),
  };
  const ids = (filter: Parameters<typeof callbackQueue>[1]) =>
    callbackQueue(all, filter).map((c) => c.id);

  it("lists the active ones by when the call is due, earliest first", () => {
    expect(ids("active")).toEqual(["b", "c", "a"]);
  });

  it("lists a final status most recently changed first", () => {
    expect(ids("completed")).toEqual(["e", "d"]);
    expect(ids("missed")).toEqual(["f"]);
    expect(ids("cancelled")).toEqual([]);
  });

  it("never rolls a callback back to an older copy", () => {
    const newer = callback({ version: 3, status: "scheduled" });
    const older = callback({ version: 2, status: "requested" });
    expect(mergeCallback(newer, older)).toBe(newer);
    expect(mergeCallback(older, newer)).toBe(newer);
    expect(mergeCallback(undefined, older)).toBe(older);
  });

  it("keeps a conversation's callbacks newest first, each once", () => {
    const first = callback({ id: "x", createdAt: "2030-03-01T00:00:00Z" });
    const second = callback({ id: "y", createdAt: "2030-03-02T00:00:00Z" });
    const list = withCallback([first], second);
    expect(list.map((c) => c.id)).toEqual(["y", "x"]);
    const updated = withCallback(list, { ...first, version: 2, status: "completed" });
    expect(updated.map((c) => [c.id, c.status])).toEqual([
      ["y", "requested"],
      ["x", "completed"],
    ]);
  });
});

describe("small things", () => {
  it("links only E.164 numbers", () => {
    expect(telHref("+31612345678")).toBe("tel:+31612345678");
    expect(telHref("0612345678")).toBeNull();
    expect(telHref("+31 6 1234")).toBeNull();
    expect(telHref("javascript:alert(1)")).toBeNull();
  });

  it("converts the schedule field's wall time in the agent's zone, both ways", () => {
    expect(toLocalInput("2030-03-05T13:30:00Z", "Europe/Amsterdam")).toBe("2030-03-05T14:30");
    expect(fromLocalInput("2030-03-05T14:30", "Europe/Amsterdam")).toBe("2030-03-05T13:30:00.000Z");
    expect(fromLocalInput("2030-07-05T14:30", "Europe/Amsterdam")).toBe("2030-07-05T12:30:00.000Z");
    expect(fromLocalInput("2030-03-05T08:30", "America/New_York")).toBe("2030-03-05T13:30:00.000Z");
    // Around Amsterdam's change to summer time (02:00 → 03:00 on 31 March 2030).
    expect(fromLocalInput("2030-03-31T01:30", "Europe/Amsterdam")).toBe("2030-03-31T00:30:00.000Z");
    expect(fromLocalInput("2030-03-31T03:30", "Europe/Amsterdam")).toBe("2030-03-31T01:30:00.000Z");
    expect(fromLocalInput("2030-03-31T02:30", "Europe/Amsterdam")).toBe("2030-03-31T01:30:00.000Z");
    expect(fromLocalInput("tomorrow", "UTC")).toBeNull();
    expect(toLocalInput("nope", "UTC")).toBe("");
  });
});
