import { readFileSync } from "node:fs";
import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { Update } from "./schema.ts";
import { parseUpdate } from "./update.ts";

/** A Bot API body from `test/fixtures/telegram/` (shapes from the Bot API reference; see its README). */
const fixture = (name: string, replace: Record<string, string> = {}) => {
  let text = readFileSync(`test/fixtures/telegram/${name}.json`, "utf8");
  for (const [from, to] of Object.entries(replace)) text = text.replaceAll(from, to);
  return v.parse(Update, JSON.parse(text));
};

describe("reading Telegram updates", () => {
  it("reads a deep link's /start with its payload, and a bare /start", () => {
    const handle = "abcdefghijklmnopqrstuvwxyz234567abcdefghijkl";
    expect(parseUpdate(fixture("update-start", { HANDLE: handle }))).toEqual({
      kind: "start",
      chatId: "6103847251",
      messageId: 41,
      date: 1780000000,
      payload: handle,
    });
    const bare = fixture("update-start", { "/start HANDLE": "/start@omnithread_demo_bot" });
    expect(parseUpdate(bare)).toMatchObject({ kind: "start" });
    expect(parseUpdate(bare)).not.toHaveProperty("payload");
  });

  it("reads a text message with its sender, and photos (the largest size) and documents as files", () => {
    const text = parseUpdate(fixture("update-text"));
    expect(text).toMatchObject({ kind: "message", chatId: "6103847251", files: [] });
    expect(text).toMatchObject({
      from: { name: "Dana Ivers", username: "dana_ivers", languageCode: "en" },
    });

    const photo = parseUpdate(fixture("update-photo"));
    expect(photo.kind).toBe("message");
    if (photo.kind !== "message") return;
    expect(photo.files).toHaveLength(1);
    const raw = JSON.parse(readFileSync("test/fixtures/telegram/update-photo.json", "utf8"));
    expect(photo.files[0]!.fileId).toBe(raw.message.photo.at(-1).file_id);
    expect(photo.text).toBe(raw.message.caption);

    const document = parseUpdate(fixture("update-document"));
    expect(document).toMatchObject({
      kind: "message",
      files: [{ type: "document", mimeType: expect.any(String), name: expect.any(String) }],
    });
    // A file sent without a caption is a message all the same: its file is what it says.
    const bare = JSON.parse(readFileSync("test/fixtures/telegram/update-photo.json", "utf8"));
    delete bare.message.caption;
    expect(parseUpdate(bare)).toMatchObject({
      kind: "message",
      text: "",
      files: [{ type: "photo" }],
    });
  });

  it("reads the bot blocked from my_chat_member, and leaves edits, groups and bots alone", () => {
    expect(parseUpdate(fixture("update-my-chat-member-kicked"))).toEqual({
      kind: "blocked",
      chatId: "6103847251",
      date: 1780003600,
    });
    const unblocked = fixture("update-my-chat-member-kicked", { '"kicked"': '"member"' });
    expect(parseUpdate(unblocked)).toMatchObject({ kind: "unblocked" });
    expect(parseUpdate(fixture("update-edited"))).toEqual({ kind: "other" });
    expect(parseUpdate(fixture("update-text", { '"private"': '"supergroup"' }))).toEqual({
      kind: "other",
    });
    expect(parseUpdate(fixture("update-text", { '"is_bot": false': '"is_bot": true' }))).toEqual({
      kind: "other",
    });
  });

  it("takes an odd field as absent rather than refusing the update", () => {
    const odd = v.parse(Update, { update_id: 7, message: { message_id: "x", chat: 5 } });
    expect(parseUpdate(odd)).toEqual({ kind: "other" });
    expect(v.safeParse(Update, { message: {} }).success).toBe(false);
  });
});
