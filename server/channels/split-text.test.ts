import { describe, expect, it } from "vitest";
import { splitText } from "./split-text.ts";

/** Messenger's limit; the rules are the same for any. */
const MAX = 2000;

describe("splitText", () => {
  it("keeps short text whole and cuts long text at breaks, within the limit", () => {
    expect(splitText("short", MAX)).toEqual(["short"]);
    const words = Array.from({ length: 900 }, (_, i) => `word${i}`).join(" ");
    const parts = splitText(words, MAX);
    expect(parts.length).toBeGreaterThan(1);
    for (const part of parts) expect(part.length).toBeLessThanOrEqual(MAX);
    expect(parts.join(" ")).toBe(words);
  });

  it("prefers paragraph breaks and never splits a surrogate pair", () => {
    const text = `${"a".repeat(1500)}\n\n${"b".repeat(1000)}`;
    expect(splitText(text, MAX)).toEqual(["a".repeat(1500), "b".repeat(1000)]);
    const emoji = "😀".repeat(1500);
    const parts = splitText(emoji, MAX);
    expect(parts.join("")).toBe(emoji);
    for (const part of parts) expect(part.length).toBeLessThanOrEqual(MAX);
    expect(parts[0]!.length % 2).toBe(0);
  });
});
