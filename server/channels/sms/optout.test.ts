import { describe, expect, it } from "vitest";
import { memoryApp } from "../../../test/helpers/memory-app.ts";
import { isOptedOut, recordOptOut } from "./optout.ts";

const NUMBER = "+31612345678";

describe("SMS opt-outs", () => {
  it("hold from STOP until START, per site and number", async () => {
    const { services } = await memoryApp();
    const { port } = services;
    expect(await isOptedOut(port, "demo", NUMBER)).toBe(false);
    await recordOptOut(port, "demo", NUMBER, true, 1_000);
    expect(await isOptedOut(port, "demo", NUMBER)).toBe(true);
    // Another site's number, and another person, are not stopped.
    expect(await isOptedOut(port, "other", NUMBER)).toBe(false);
    expect(await isOptedOut(port, "demo", "+31687654321")).toBe(false);
    await recordOptOut(port, "demo", NUMBER, false, 2_000);
    expect(await isOptedOut(port, "demo", NUMBER)).toBe(false);
  });

  it("go by when each was said, whichever instance records it last", async () => {
    const { services } = await memoryApp();
    const { port } = services;
    await recordOptOut(port, "demo", NUMBER, false, 5_000);
    // A STOP said before that START, arriving late (a retried webhook), does not stop texts.
    await recordOptOut(port, "demo", NUMBER, true, 4_000);
    expect(await isOptedOut(port, "demo", NUMBER)).toBe(false);
    await recordOptOut(port, "demo", NUMBER, true, 6_000);
    expect(await isOptedOut(port, "demo", NUMBER)).toBe(true);
  });
});
