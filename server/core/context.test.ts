import { describe, expect, it } from "vitest";
import { MAX_PAGES, mergeContext } from "./context.ts";

const at = "2026-01-01T00:00:00.000Z";

describe("mergeContext", () => {
  it("keeps where the chat started and appends the pages visited since", () => {
    const first = mergeContext(
      {},
      { url: "https://s.example/a", referrer: "https://r.example/" },
      at,
    );
    const second = mergeContext(
      first,
      { url: "https://s.example/b", referrer: "https://other.example/" },
      at,
    );
    expect(second.url).toBe("https://s.example/a");
    expect(second.referrer).toBe("https://r.example/");
    expect(second.pages?.map((p) => p.url)).toEqual(["https://s.example/a", "https://s.example/b"]);
  });

  it("does not record a reload of the same page twice", () => {
    const once = mergeContext({}, { url: "https://s.example/a" }, at);
    expect(mergeContext(once, { url: "https://s.example/a" }, at).pages).toHaveLength(1);
  });

  it(`keeps the last ${MAX_PAGES} pages`, () => {
    let context = {};
    for (let i = 0; i < MAX_PAGES + 5; i++)
      context = mergeContext(context, { url: `https://s.example/${i}` }, at);
    const pages = mergeContext(context, {}, at).pages!;
    expect(pages).toHaveLength(MAX_PAGES);
    expect(pages.at(-1)?.url).toBe(`https://s.example/${MAX_PAGES + 4}`);
  });

  it("merges attributes key by key, and null erases one", () => {
    const a = mergeContext({}, { attributes: { plan: "free", orders: 1 } }, at);
    const b = mergeContext(a, { attributes: { plan: "pro", orders: null } }, at);
    expect(b.attributes).toEqual({ plan: "pro" });
  });

  it("refuses to grow past the attribute cap, however many calls it takes", () => {
    let context = {};
    for (let i = 0; i < 2; i++) {
      const batch = Object.fromEntries(Array.from({ length: 50 }, (_, k) => [`k${i}_${k}`, k]));
      context = mergeContext(context, { attributes: batch }, at);
    }
    expect(() => mergeContext(context, { attributes: { one: "more" } }, at)).toThrow(/at most 100/);
    expect(mergeContext(context, { attributes: { k0_0: "changed" } }, at).attributes?.k0_0).toBe(
      "changed",
    );
  });

  it("follows the latest locale", () => {
    expect(mergeContext({ locale: "en" }, { locale: "nl" }, at).locale).toBe("nl");
  });
});
