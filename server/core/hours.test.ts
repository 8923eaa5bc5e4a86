import { describe, expect, it } from "vitest";
import { type BusinessHours, isOpen, validateHours } from "./hours.ts";

const amsterdam: BusinessHours = {
  timeZone: "Europe/Amsterdam",
  days: { mon: ["09:00", "17:00"], fri: ["09:00", "17:00"], sat: ["22:00", "02:00"] },
};
const at = (iso: string) => Date.parse(iso);

describe("isOpen", () => {
  it("reads the hours in the site's zone, not the server's", () => {
    // Monday 2026-03-02: Amsterdam is UTC+1 in winter.
    expect(isOpen(amsterdam, at("2026-03-02T07:59:00Z"))).toBe(false); // 08:59 local
    expect(isOpen(amsterdam, at("2026-03-02T08:00:00Z"))).toBe(true); // 09:00 local
    expect(isOpen(amsterdam, at("2026-03-02T15:59:00Z"))).toBe(true); // 16:59 local
    expect(isOpen(amsterdam, at("2026-03-02T16:00:00Z"))).toBe(false); // 17:00 local
  });

  it("follows daylight saving time", () => {
    // Monday 2026-03-30: after the switch, Amsterdam is UTC+2.
    expect(isOpen(amsterdam, at("2026-03-30T07:00:00Z"))).toBe(true); // 09:00 local
    expect(isOpen(amsterdam, at("2026-03-30T15:00:00Z"))).toBe(false); // 17:00 local
  });

  it("places a UTC instant on the right local day on both sides of midnight", () => {
    // Sunday 23:30 UTC is already Monday 08:30 in Tokyo and still Sunday 18:30 in New York.
    const tokyo: BusinessHours = { timeZone: "Asia/Tokyo", days: { mon: ["08:00", "12:00"] } };
    const newYork: BusinessHours = {
      timeZone: "America/New_York",
      days: { mon: ["08:00", "12:00"] },
    };
    expect(isOpen(tokyo, at("2026-03-01T23:30:00Z"))).toBe(true);
    expect(isOpen(newYork, at("2026-03-01T23:30:00Z"))).toBe(false);
  });

  it("handles a window that crosses midnight", () => {
    // Saturday 2026-03-07 22:00 → Sunday 02:00, Amsterdam (UTC+1).
    expect(isOpen(amsterdam, at("2026-03-07T20:59:00Z"))).toBe(false); // Sat 21:59
    expect(isOpen(amsterdam, at("2026-03-07T21:00:00Z"))).toBe(true); // Sat 22:00
    expect(isOpen(amsterdam, at("2026-03-08T00:30:00Z"))).toBe(true); // Sun 01:30
    expect(isOpen(amsterdam, at("2026-03-08T01:00:00Z"))).toBe(false); // Sun 02:00
  });

  it("is closed on days without hours and always open without any configuration", () => {
    expect(isOpen(amsterdam, at("2026-03-03T10:00:00Z"))).toBe(false); // Tuesday
    expect(isOpen(undefined, at("2026-03-03T03:00:00Z"))).toBe(true);
  });
});

describe("validateHours", () => {
  it("names a bad zone, day or time", () => {
    expect(() =>
      validateHours({ timeZone: "Mars/Olympus", days: {} }, "sites[0].businessHours"),
    ).toThrow(/timeZone/);
    expect(() =>
      validateHours({ timeZone: "UTC", days: { mo: ["09:00", "17:00"] } as never }, "x"),
    ).toThrow(/unknown day/);
    expect(() => validateHours({ timeZone: "UTC", days: { mon: ["9", "17:00"] } }, "x")).toThrow(
      /HH:MM/,
    );
  });
});
