import { describe, expect, it } from "vitest";
import { memoryApp } from "../../../test/helpers/memory-app.ts";
import { findCode, issueCode, MAX_CODE_TRIES_PER_HOUR, redeemCode } from "./code.ts";

const DAY_S = 86_400;

async function setup() {
  let clock = Date.parse("2026-12-04T10:00:00Z");
  const { services } = await memoryApp({ now: () => clock });
  const { conversation } = await services.threads.start("demo", null, {});
  return {
    port: services.port,
    conversation,
    later: (seconds: number) => {
      clock += seconds * 1000;
    },
  };
}

describe("WhatsApp one-time codes", () => {
  it("are two groups of four easily read characters", async () => {
    const { port, conversation } = await setup();
    const code = await issueCode(port, conversation, 3 * DAY_S);
    expect(code).toMatch(/^[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$/);
    expect(code).toMatch(/[A-Z]/);
    expect(code).toMatch(/\d/);
  });

  it("are found in the text as the visitor sent it, edited or not", () => {
    expect(findCode("Continue my chat K7QM-2XPD")).toBe("K7QM2XPD");
    expect(findCode("hi! k7qm-2xpd is my code, thanks")).toBe("K7QM2XPD");
    expect(findCode("Continue my chat K7QM–2XPD.")).toBe("K7QM2XPD"); // an en dash
    expect(findCode("self-help, then K7QM-2XPD")).toBe("K7QM2XPD");
    expect(findCode("Here I am in WhatsApp")).toBeNull();
    expect(findCode("Continue my chat K7QM2XPD")).toBeNull(); // the dash is part of it
    expect(findCode("Is this self-help?")).toBeNull(); // a word pair has no digit
    expect(findCode("Where is order 2345-6789?")).toBeNull(); // a number has no letter
    expect(findCode("Where is order 1234-5678?")).toBeNull(); // 1 is not in the alphabet
    expect(findCode("no code here")).toBeNull();
    expect(findCode("XK7QM-2XPD")).toBeNull(); // not a group of four
  });

  it("open their conversation once; a replayed or altered code opens nothing", async () => {
    const { port, conversation } = await setup();
    const code = findCode(await issueCode(port, conversation, 3 * DAY_S))!;
    expect(await redeemCode(port, "demo", code, "447700900123")).toEqual({
      conversationId: conversation.id,
    });
    expect(await redeemCode(port, "demo", code, "447700900123")).toEqual({ refusal: "invalid" });

    const other = findCode(await issueCode(port, conversation, 3 * DAY_S))!;
    const altered = `${other.slice(0, 7)}${other[7] === "A" ? "B" : "A"}`;
    expect(await redeemCode(port, "demo", altered, "447700900124")).toEqual({
      refusal: "invalid",
    });
    // Another site's code is not this site's.
    expect(await redeemCode(port, "other", other, "447700900124")).toEqual({ refusal: "invalid" });
    expect(await redeemCode(port, "demo", other, "447700900124")).toEqual({
      conversationId: conversation.id,
    });
  });

  it("expire with their handle, and say so", async () => {
    const { port, conversation, later } = await setup();
    const code = findCode(await issueCode(port, conversation, 3 * DAY_S))!;
    later(3 * DAY_S + 60);
    expect(await redeemCode(port, "demo", code, "447700900123")).toEqual({ refusal: "expired" });
  });

  it("cannot be guessed: a number that tried too many this hour is not looked at", async () => {
    const { port, conversation } = await setup();
    for (let i = 0; i < MAX_CODE_TRIES_PER_HOUR; i++) {
      await redeemCode(port, "demo", "AAAABBBB", "447700900999");
    }
    const code = findCode(await issueCode(port, conversation, 3 * DAY_S))!;
    expect(await redeemCode(port, "demo", code, "447700900999")).toEqual({ refusal: "invalid" });
    // The right code still works for the visitor's own number.
    expect(await redeemCode(port, "demo", code, "447700900123")).toEqual({
      conversationId: conversation.id,
    });
  });
});
