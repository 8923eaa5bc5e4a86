import { describe, expect, it } from "vitest";
import { EXTRACTORS, loadCorpus, score } from "../../../test/email/corpus.ts";

/**
 * The reply corpus (test/fixtures/email-corpus/): real replies from many clients and
 * languages, each with the text the agent should read. `npm run bench:email` prints the
 * figures per client and language; this keeps them from falling.
 */
const cases = await loadCorpus();
const outcomes = score(cases, EXTRACTORS.omnithread!);

describe("the email reply corpus", () => {
  it("is big and varied enough to mean something", () => {
    expect(cases.length).toBeGreaterThanOrEqual(150);
    expect(new Set(cases.map((c) => c.language)).size).toBeGreaterThanOrEqual(12);
  });

  it("gives the agent exactly the sender's text in at least 95 % of replies", () => {
    const failed = outcomes.filter((o) => !o.pass).map((o) => o.case.id);
    expect(outcomes.length - failed.length).toBeGreaterThanOrEqual(Math.ceil(0.95 * cases.length));
  });

  it("never loses the sender's words: what it keeps always contains the expected text's words", () => {
    const words = (text: string) => text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
    const lost = outcomes.filter((o) => {
      const kept = new Set(words(o.got));
      return words(o.case.expected).some((w) => !kept.has(w));
    });
    // Each of these drops words it should keep: the list may only shrink.
    expect(lost.map((o) => o.case.id)).toEqual([]);
  });
});
