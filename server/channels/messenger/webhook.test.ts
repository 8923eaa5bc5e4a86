import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AppError } from "../../errors.ts";
import { parseWebhook } from "./webhook.ts";

const envelope = {
  sender: { id: "psid-1" },
  recipient: { id: "page-1" },
  timestamp: 1_700_000_000_000,
};

describe("parseWebhook", () => {
  it("reads messages, attachments, quick replies, referrals, postbacks and echoes", () => {
    const [entry] = parseWebhook({
      object: "page",
      entry: [
        {
          id: "page-1",
          time: 1,
          messaging: [
            { ...envelope, message: { mid: "m1", text: "hello" } },
            {
              ...envelope,
              message: {
                mid: "m2",
                attachments: [
                  { type: "image", payload: { url: "https://cdn.example/a.jpg" } },
                  { type: "file", payload: { url: "javascript:alert(1)" } },
                ],
              },
            },
            { ...envelope, message: { mid: "m3", quick_reply: { payload: "YES" } } },
            { ...envelope, referral: { ref: "abc", source: "SHORTLINK", type: "OPEN_THREAD" } },
            {
              ...envelope,
              postback: { title: "Get Started", payload: "GET_STARTED", referral: { ref: "xyz" } },
            },
            {
              sender: { id: "page-1" },
              recipient: { id: "psid-1" },
              timestamp: 1,
              message: { is_echo: true, mid: "m4", text: "ours" },
            },
            { ...envelope, delivery: { mids: ["m1"] } },
            { ...envelope, timestamp: "1700000000" },
          ],
        },
      ],
    });
    const events = entry!.events;
    expect(events.map((e) => e.kind)).toEqual([
      "message",
      "message",
      "message",
      "referral",
      "postback",
      "echo",
      "other",
      "other",
    ]);
    expect(events[0]).toMatchObject({ psid: "psid-1", pageId: "page-1", mid: "m1", text: "hello" });
    // The image is a file to keep (it has its link); a file without one can only be named.
    expect(events[1]).toMatchObject({
      text: "[file]",
      attachments: [{ type: "image", url: "https://cdn.example/a.jpg" }, { type: "file" }],
    });
    expect(events[2]).toMatchObject({ text: "YES" });
    expect(events[3]).toMatchObject({ referral: { ref: "abc", source: "SHORTLINK" } });
    expect(events[4]).toMatchObject({ referral: { ref: "xyz" }, payload: "GET_STARTED" });
  });

  it("reads second timestamps as milliseconds", () => {
    const [entry] = parseWebhook({
      object: "page",
      entry: [
        {
          id: "p",
          messaging: [
            { sender: { id: "s" }, timestamp: "1700000000", message: { mid: "m", text: "t" } },
          ],
        },
      ],
    });
    expect(entry!.events[0]).toMatchObject({ timestamp: 1_700_000_000_000 });
  });

  it("acknowledges other objects with no entries and refuses what is not Meta's shape", () => {
    expect(parseWebhook({ object: "instagram", entry: [{ id: "1" }] })).toEqual([]);
    expect(() => parseWebhook({ object: "page" })).toThrow(/entry/);
    expect(() => parseWebhook([1, 2])).toThrow();
  });

  it("skips entries without an id and hostile shapes without throwing", () => {
    const entries = parseWebhook({
      object: "page",
      entry: [
        null,
        { messaging: [] },
        { id: "p", messaging: [null, 1, { sender: "x" }, { sender: { id: {} } }] },
      ],
    });
    expect(entries).toHaveLength(1);
    expect(entries[0]!.events.every((e) => e.kind === "other")).toBe(true);
  });
});

describe("parseWebhook on anything", () => {
  it("answers entries or an AppError, never another exception", () => {
    const event = fc.record(
      {
        sender: fc.oneof(fc.record({ id: fc.oneof(fc.string(), fc.integer()) }), fc.jsonValue()),
        timestamp: fc.oneof(fc.integer(), fc.string(), fc.jsonValue()),
        message: fc.oneof(
          fc.record(
            {
              mid: fc.oneof(fc.string(), fc.jsonValue()),
              text: fc.oneof(fc.string(), fc.jsonValue()),
              is_echo: fc.oneof(fc.boolean(), fc.jsonValue()),
              attachments: fc.oneof(
                fc.array(fc.record({ type: fc.jsonValue(), payload: fc.jsonValue() })),
                fc.jsonValue(),
              ),
              quick_reply: fc.jsonValue(),
            },
            { requiredKeys: [] },
          ),
          fc.jsonValue(),
        ),
        postback: fc.jsonValue(),
        referral: fc.oneof(fc.record({ ref: fc.jsonValue() }), fc.jsonValue()),
      },
      { requiredKeys: [] },
    );
    const body = fc.oneof(
      fc.record({
        object: fc.oneof(fc.constant("page"), fc.jsonValue()),
        entry: fc.oneof(
          fc.array(
            fc.record({ id: fc.jsonValue(), messaging: fc.oneof(fc.array(event), fc.jsonValue()) }),
          ),
          fc.jsonValue(),
        ),
      }),
      fc.jsonValue(),
    );
    fc.assert(
      fc.property(body, (value) => {
        try {
          for (const entry of parseWebhook(value)) {
            for (const e of entry.events) {
              if (e.kind === "message") expect(e.text.length).toBeGreaterThan(0);
            }
          }
        } catch (error) {
          expect(error).toBeInstanceOf(AppError);
        }
      }),
      { numRuns: 500 },
    );
  });
});
