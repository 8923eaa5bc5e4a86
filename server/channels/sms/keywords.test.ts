import { describe, expect, it } from "vitest";
import { keywordOf } from "./keywords.ts";

describe("carrier keywords", () => {
  it("reads STOP and its synonyms in any case as stop, alone", () => {
    for (const text of [
      "STOP",
      "stop",
      " Stop! ",
      "STOPALL",
      "unsubscribe",
      "Cancel",
      "END",
      "quit.",
    ]) {
      expect(keywordOf(text), text).toBe("stop");
    }
  });

  it("reads START / UNSTOP as start and HELP / INFO as help", () => {
    expect(keywordOf("start")).toBe("start");
    expect(keywordOf("UNSTOP")).toBe("start");
    expect(keywordOf("Help")).toBe("help");
    expect(keywordOf("info")).toBe("help");
  });

  it("leaves a sentence that contains a keyword to the agent", () => {
    for (const text of [
      "please stop texting me",
      "Stop the order",
      "help me with my order",
      "",
      "STOP STOP",
    ]) {
      expect(keywordOf(text), text).toBeNull();
    }
  });
});
