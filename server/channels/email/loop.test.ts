import { describe, expect, it } from "vitest";
import { automatedReason } from "./loop.ts";

const headers = (h: Record<string, string>) => (name: string) => h[name];

describe("automatedReason", () => {
  it("passes a person's mail", () => {
    expect(automatedReason(headers({ "auto-submitted": "no" }), { from: "ana@x.example" })).toBe(
      null,
    );
    expect(
      automatedReason(headers({}), { from: "ana@x.example", returnPath: "<ana@x.example>" }),
    ).toBe(null);
  });

  it.each([
    [{ "auto-submitted": "auto-replied" }, "auto-submitted"],
    [{ "auto-submitted": "auto-generated; owner-email=x" }, "auto-submitted"],
    [{ precedence: "bulk" }, "precedence"],
    [{ precedence: "junk" }, "precedence"],
    [{ precedence: "list" }, "precedence"],
    [{ precedence: "auto_reply" }, "precedence"],
    [{ "x-autoreply": "yes" }, "x-autoreply"],
    [{ "x-autorespond": "1" }, "x-autoreply"],
    [{ "return-path": "<>" }, "null-sender"],
    [{ "content-type": "multipart/report; report-type=delivery-status" }, "bounce"],
    [{ "list-id": "<news.x.example>" }, "list"],
  ])("%j → %s", (h, reason) => {
    expect(automatedReason(headers(h), { from: "ana@x.example" })).toBe(reason);
  });

  it("takes the envelope sender over the header, and knows MAILER-DAEMON", () => {
    expect(automatedReason(headers({}), { from: "a@x.example", returnPath: "" })).toBe(
      "null-sender",
    );
    expect(automatedReason(headers({}), { from: "mailer-daemon@mx.example" })).toBe("bounce");
  });
});
