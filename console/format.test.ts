import { describe, expect, it } from "vitest";
import type { ThreadEvent } from "../sdk/protocol.ts";
import {
  attributeText,
  backoff,
  channelName,
  clock,
  linkify,
  longAge,
  newClientId,
  ratings,
  safeHref,
  shortAge,
  shortUrl,
  systemSentence,
  tabTitle,
} from "./format.ts";

const at = (iso: string) => Date.parse(iso);

function event(patch: Partial<ThreadEvent>): ThreadEvent {
  return {
    id: "c:1",
    seq: 1,
    type: "system",
    channel: "web",
    author: { role: "system" },
    text: "",
    createdAt: "2030-01-01T10:00:00.000Z",
    ...patch,
  };
}

describe("ages", () => {
  const now = at("2030-01-10T12:00:00Z");
  it.each([
    ["2030-01-10T11:59:30Z", "now", "just now"],
    ["2030-01-10T11:59:00Z", "1 min", "1 minute ago"],
    ["2030-01-10T11:05:00Z", "55 min", "55 minutes ago"],
    ["2030-01-10T10:00:00Z", "2 h", "2 hours ago"],
    ["2030-01-09T12:00:00Z", "1 d", "1 day ago"],
    ["2030-01-01T12:00:00Z", "9 d", "9 days ago"],
  ])("%s is %s (%s)", (iso, short, long) => {
    expect(shortAge(iso, now)).toBe(short);
    expect(longAge(iso, now)).toBe(long);
  });

  it("treats a time slightly in the future (clock drift) as now, and a bad date as nothing", () => {
    expect(shortAge("2030-01-10T12:00:05Z", now)).toBe("now");
    expect(shortAge("not a date", now)).toBe("");
    expect(longAge("", now)).toBe("");
  });
});

describe("clock", () => {
  const options = { locale: "en-GB", timeZone: "UTC" };
  it("shows only the time today, the day on other days, the year in other years", () => {
    const now = at("2030-03-03T18:00:00Z");
    expect(clock("2030-03-03T14:05:00Z", now, options)).toBe("14:05");
    expect(clock("2030-03-01T09:30:00Z", now, options)).toBe("1 Mar, 09:30");
    expect(clock("2029-12-31T23:59:00Z", now, options)).toBe("31 Dec 2029, 23:59");
    expect(clock("nonsense", now, options)).toBe("");
  });

  it("decides 'today' in the agent's time zone", () => {
    // 23:30 UTC on the 3rd is already the 4th in Warsaw.
    const now = at("2030-03-04T08:00:00Z");
    expect(clock("2030-03-03T23:30:00Z", now, { locale: "en-GB", timeZone: "Europe/Warsaw" })).toBe(
      "00:30",
    );
  });
});

describe("channels and system events", () => {
  it("names channels for sentences", () => {
    expect(channelName("web")).toBe("web chat");
    expect(channelName("messenger")).toBe("Messenger");
    expect(channelName("sms")).toBe("SMS");
    // A channel a newer server adds is named as it comes.
    expect(channelName("fax")).toBe("fax");
  });

  it("uses the server's sentence, else one made from the event's name", () => {
    expect(systemSentence(event({ name: "channel.linked", text: "Moved to Messenger" }))).toBe(
      "Moved to Messenger",
    );
    expect(
      systemSentence(event({ name: "channel.linked", data: { channel: "email" }, text: " " })),
    ).toBe("Moved to email");
    expect(systemSentence(event({ name: "conversation.resolved" }))).toBe("Conversation resolved");
    expect(systemSentence(event({ name: "something.new" }))).toBe("something.new");
    // Texts written for the visitor are told to the agent as what happened.
    expect(systemSentence(event({ name: "csat.requested", text: "How did we do?" }))).toBe(
      "Asked the visitor to rate the conversation",
    );
  });
});

describe("callback events, told to the agent", () => {
  const context = {
    now: at("2030-03-05T08:00:00Z"),
    timeZone: "America/New_York",
    locale: "en-GB",
    agentName: (email: string) => (email === "bea@example.com" ? "Bea" : email),
  };
  const say = (name: string, data: Record<string, unknown>, text = "A sentence for the visitor") =>
    systemSentence(event({ name, data: { callbackId: "cb1", ...data }, text }), context);

  it("says each event in the agent's zone, with the visitor's reading when it differs", () => {
    const window = { from: "2030-03-05T13:00:00Z", to: "2030-03-05T14:00:00Z" };
    expect(say("callback.requested", { window, asap: false, timeZone: "Europe/Amsterdam" })).toBe(
      "Callback requested for Today, 08:00–09:00 (visitor's time: Today, 14:00–15:00)",
    );
    expect(say("callback.requested", { window, asap: false, timeZone: "America/New_York" })).toBe(
      "Callback requested for Today, 08:00–09:00",
    );
    expect(say("callback.requested", { window, asap: true, timeZone: "Europe/Amsterdam" })).toBe(
      "Callback requested as soon as possible",
    );
    expect(
      say("callback.scheduled", {
        scheduledFor: "2030-03-05T13:30:00Z",
        timeZone: "Europe/Amsterdam",
      }),
    ).toBe("Callback scheduled for Today, 08:30 (visitor's time: Today, 14:30)");
    expect(say("callback.claimed", { by: "bea@example.com" })).toBe("Callback claimed by Bea");
    expect(say("callback.released", { by: "al@example.com" })).toBe(
      "Callback released by al@example.com",
    );
    // "We called you." speaks to the visitor; the outcome is a separate internal note.
    expect(say("callback.completed", {}, "We called you.")).toBe("Called the visitor back");
    expect(say("callback.missed", { by: "system" })).toBe(
      "Callback missed: nobody called within the window",
    );
    expect(say("callback.missed", { by: "bea@example.com" })).toBe("Callback marked missed by Bea");
    expect(say("callback.cancelled", { by: "visitor" })).toBe("The visitor cancelled the callback");
    expect(say("callback.cancelled", { by: "bea@example.com" })).toBe("Callback cancelled by Bea");
    expect(say("callback.offered", {})).toBe("Offered the visitor a new callback time");
  });

  it("still says something when the data is not what it expects", () => {
    expect(say("callback.requested", { window: "soon" })).toBe("Callback requested");
    expect(say("callback.scheduled", { scheduledFor: 5 })).toBe("Callback scheduled");
    expect(say("callback.claimed", {})).toBe("Callback claimed by an agent");
    expect(say("callback.cancelled", {})).toBe("Callback cancelled");
  });
});

describe("ratings", () => {
  it("reads CSAT events and skips malformed ones", () => {
    const events = [
      event({ seq: 3, name: "csat.submitted", data: { rating: 4, comment: "Quick answer" } }),
      event({ seq: 4, name: "csat.submitted", data: { rating: 9 } }),
      event({ seq: 5, name: "csat.submitted", data: { rating: "2", comment: "  " } }),
      event({ seq: 6, name: "conversation.resolved", data: { rating: 5 } }),
    ];
    expect(ratings(events)).toEqual([
      { rating: 4, comment: "Quick answer", seq: 3, at: "2030-01-01T10:00:00.000Z" },
      { rating: 2, seq: 5, at: "2030-01-01T10:00:00.000Z" },
    ]);
  });
});

describe("links", () => {
  it("only http(s) URLs are links", () => {
    expect(safeHref("https://shop.example/a?b=1")).toBe("https://shop.example/a?b=1");
    expect(safeHref("javascript:alert(1)")).toBeNull();
    expect(safeHref("data:text/html,<script>alert(1)</script>")).toBeNull();
    expect(safeHref("/relative")).toBeNull();
    expect(safeHref(undefined)).toBeNull();
  });

  it("splits text into text and links, leaving HTML as text", () => {
    expect(linkify("<img src=x onerror=alert(1)> see https://example.com/a.")).toEqual([
      "<img src=x onerror=alert(1)> see ",
      { href: "https://example.com/a", text: "https://example.com/a" },
      ".",
    ]);
    expect(linkify("(https://en.wikipedia.org/wiki/X_(y))")).toEqual([
      "(",
      { href: "https://en.wikipedia.org/wiki/X_(y)", text: "https://en.wikipedia.org/wiki/X_(y)" },
      ")",
    ]);
    expect(linkify("javascript:alert(1)")).toEqual(["javascript:alert(1)"]);
  });

  it("shortens URLs for display", () => {
    expect(shortUrl("https://shop.example/")).toBe("shop.example");
    expect(shortUrl("http://localhost:8787/product.html?x=1")).toBe(
      "localhost:8787/product.html?x=1",
    );
    expect(shortUrl("not a url")).toBe("not a url");
  });
});

describe("small things", () => {
  it("spells attribute values", () => {
    expect(attributeText("pro")).toBe("pro");
    expect(attributeText(3)).toBe("3");
    expect(attributeText(false)).toBe("false");
    expect(attributeText(null)).toBe("—");
  });

  it("counts arrivals in the tab title", () => {
    expect(tabTitle("Inbox", 0)).toBe("Inbox");
    expect(tabTitle("Inbox", 3)).toBe("(3) Inbox");
    expect(tabTitle("Inbox", 150)).toBe("(99+) Inbox");
  });

  it("makes client ids the server accepts, each new", () => {
    const a = newClientId();
    expect(a).toMatch(/^[A-Za-z0-9._:-]{1,64}$/);
    expect(newClientId()).not.toBe(a);
  });

  it("backs off from 0.5 s doubling to 15 s, jittered in the upper half", () => {
    expect(backoff(0, () => 1)).toBe(500);
    expect(backoff(0, () => 0)).toBe(250);
    expect(backoff(3, () => 1)).toBe(4000);
    expect(backoff(10, () => 1)).toBe(15_000);
    expect(backoff(10, () => 0)).toBe(7500);
  });
});
