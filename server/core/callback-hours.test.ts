import { describe, expect, it } from "vitest";
import type { SiteConfig } from "../config.ts";
import type { AppError } from "../errors.ts";
import {
  type AskedWindow,
  asapWindow,
  type CallbackRules,
  callbackRules,
  checkWindow,
  offeredWindows,
} from "./callback-hours.ts";
import type { BusinessHours } from "./hours.ts";

const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri"] as const;
/** Amsterdam, 09:00–17:00 on weekdays: CET (UTC+1) in winter, CEST (UTC+2) from 30 March 2025. */
const amsterdam: CallbackRules = callbackRules({
  id: "s",
  name: "Shop",
  origins: [],
  locale: "nl",
  agents: [],
  businessHours: {
    timeZone: "Europe/Amsterdam",
    days: Object.fromEntries(WEEKDAYS.map((d) => [d, ["09:00", "17:00"]])),
  },
  callback: {},
} satisfies SiteConfig);

const at = (iso: string) => Date.parse(iso);
const win = (from: string, to: string) => ({ from, to });

function refusal(rules: CallbackRules, window: AskedWindow, now: number): string {
  try {
    checkWindow(rules, window, now);
  } catch (error) {
    expect((error as AppError).status).toBe(400);
    return (error as AppError).message;
  }
  throw new Error("the window was accepted");
}

describe("callback windows", () => {
  // Friday 28 March 2025, 10:00 in Amsterdam (CET): the weekend before the clocks go forward.
  const friday = at("2025-03-28T09:00:00Z");

  it("takes a window inside the hours, in whatever zone it was written", () => {
    const asked = win("2025-03-28T14:00:00+01:00", "2025-03-28T15:00:00+01:00");
    expect(checkWindow(amsterdam, asked, friday)).toEqual({
      window: win("2025-03-28T13:00:00.000Z", "2025-03-28T14:00:00.000Z"),
      asap: false,
    });
    // The same hour written from New York (UTC−4 that day).
    const fromNewYork = win("2025-03-28T09:00:00-04:00", "2025-03-28T10:00:00-04:00");
    expect(checkWindow(amsterdam, fromNewYork, friday)).toEqual(
      checkWindow(amsterdam, asked, friday),
    );
  });

  it("follows the site's clock across the DST change", () => {
    // 07:00–08:00 UTC is 08:00–09:00 on Friday (closed) but 09:00–10:00 on Monday (open).
    expect(
      refusal(
        amsterdam,
        win("2025-03-28T07:00:00Z", "2025-03-28T08:00:00Z"),
        at("2025-03-27T12:00:00Z"),
      ),
    ).toBe('"window" is outside callback hours');
    expect(
      checkWindow(amsterdam, win("2025-03-31T07:00:00Z", "2025-03-31T08:00:00Z"), friday).window
        .from,
    ).toBe("2025-03-31T07:00:00.000Z");
    // And 16:00–17:00 UTC: 17:00–18:00 on Friday (closed), 18:00–19:00 on Monday (closed).
    expect(refusal(amsterdam, win("2025-03-31T15:30:00Z", "2025-03-31T16:00:00Z"), friday)).toBe(
      '"window" is outside callback hours',
    );
  });

  it("reads the clock minute by minute when the window holds the DST change itself", () => {
    // Open Saturday 22:00–02:00 and Sunday 03:00–06:00 in Amsterdam. On 30 March 2025 the
    // clocks jump from 02:00 to 03:00, so the closed hour never happens that night:
    // 00:00–01:30 UTC is 01:00–02:00 CET then 03:00–03:30 CEST, open all along (counted on
    // from the start, it would read 02:00–02:30 and refuse).
    const night = {
      ...amsterdam,
      hours: {
        timeZone: "Europe/Amsterdam",
        days: { sat: ["22:00", "02:00"], sun: ["03:00", "06:00"] } as BusinessHours["days"],
      },
    };
    const before = at("2025-03-29T12:00:00Z");
    expect(
      checkWindow(night, win("2025-03-30T00:00:00Z", "2025-03-30T01:30:00Z"), before).window,
    ).toEqual(win("2025-03-30T00:00:00.000Z", "2025-03-30T01:30:00.000Z"));
    // A week later, no DST change: 01:00–02:30 local runs into the closed hour.
    expect(refusal(night, win("2025-04-05T23:00:00Z", "2025-04-06T00:30:00Z"), before)).toBe(
      '"window" is outside callback hours',
    );
  });

  it("refuses windows in the past, upside down, too short, too long, too far or across closing", () => {
    expect(refusal(amsterdam, win("2025-03-28T08:00:00Z", "2025-03-28T08:30:00Z"), friday)).toBe(
      '"window" must be in the future',
    );
    expect(refusal(amsterdam, win("2025-03-28T12:00:00Z", "2025-03-28T11:00:00Z"), friday)).toBe(
      '"window.to" must be after "window.from"',
    );
    expect(refusal(amsterdam, win("2025-03-28T12:00:00Z", "2025-03-28T12:10:00Z"), friday)).toBe(
      '"window" must be 15 minutes to 8 hours long',
    );
    expect(refusal(amsterdam, win("2025-03-31T07:00:00Z", "2025-03-31T16:00:00Z"), friday)).toBe(
      '"window" must be 15 minutes to 8 hours long',
    );
    expect(refusal(amsterdam, win("2025-05-05T08:00:00Z", "2025-05-05T09:00:00Z"), friday)).toBe(
      '"window" must start within 30 days',
    );
    // 15:30–16:30 UTC on Friday is 16:30–17:30 in Amsterdam: the last half hour is closed.
    expect(refusal(amsterdam, win("2025-03-28T15:30:00Z", "2025-03-28T16:30:00Z"), friday)).toBe(
      '"window" is outside callback hours',
    );
  });

  it("offers as soon as possible during the hours only, up to closing", () => {
    expect(checkWindow(amsterdam, "asap", friday)).toEqual({
      window: win("2025-03-28T09:00:00.000Z", "2025-03-28T10:00:00.000Z"),
      asap: true,
    });
    // 16:30 in Amsterdam: half an hour left today.
    expect(asapWindow(amsterdam, at("2025-03-28T15:30:00Z"))).toEqual(
      win("2025-03-28T15:30:00.000Z", "2025-03-28T16:00:00.000Z"),
    );
    // 16:50: ten minutes is no promise; Saturday: closed.
    expect(asapWindow(amsterdam, at("2025-03-28T15:50:00Z"))).toBeNull();
    expect(refusal(amsterdam, "asap", at("2025-03-29T10:00:00Z"))).toMatch(
      /outside callback hours/,
    );
  });

  it("offers the next whole hours inside the hours, from a quarter of an hour ahead", () => {
    // Friday 16:10 in Amsterdam: 16:30 would not be on the hour, 17:00 is closing; Monday is
    // the first day after the weekend and the DST change, 09:00 CEST = 07:00 UTC.
    const windows = offeredWindows({ ...amsterdam, daysAhead: 4 }, at("2025-03-28T15:10:00Z"));
    expect(windows[0]).toEqual(win("2025-03-31T07:00:00.000Z", "2025-03-31T08:00:00.000Z"));
    expect(windows.slice(0, 8).at(-1)).toEqual(
      win("2025-03-31T14:00:00.000Z", "2025-03-31T15:00:00.000Z"),
    );
    expect(windows[8]).toEqual(win("2025-04-01T07:00:00.000Z", "2025-04-01T08:00:00.000Z"));
    for (const w of windows)
      expect(checkWindow(amsterdam, w, at("2025-03-28T15:10:00Z")).asap).toBe(false);
  });

  it("offers any time of day when the site has no hours, and half hours when asked", () => {
    const always = { ...amsterdam, hours: undefined, windowMinutes: 30, daysAhead: 1 };
    const windows = offeredWindows(always, at("2025-03-28T15:10:00Z"));
    expect(windows.slice(0, 2)).toEqual([
      win("2025-03-28T15:30:00.000Z", "2025-03-28T16:00:00.000Z"),
      win("2025-03-28T16:00:00.000Z", "2025-03-28T16:30:00.000Z"),
    ]);
    expect(windows).toHaveLength(24);
  });
});
