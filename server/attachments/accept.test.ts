import { describe, expect, it } from "vitest";
import { randomId } from "../auth/base32.ts";
import { memoryStore } from "../store/memory.ts";
import { acceptAttachment, DEFAULT_RULES, storageKey } from "./accept.ts";
import { memoryStorage } from "./storage.ts";

const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52];

function setup(rules = DEFAULT_RULES) {
  const store = memoryStore();
  const storage = memoryStorage();
  const conversation = { id: randomId(), siteId: "shop" };
  const accept = (name: string, bytes: Uint8Array) =>
    acceptAttachment(
      { store, storage, rules, now: () => Date.parse("2026-12-04T10:00:00Z") },
      {
        conversation,
        name,
        bytes,
        from: "visitor",
      },
    );
  return { store, storage, conversation, accept };
}

describe("taking an upload", () => {
  it("keeps the bytes and records what they are, under a safe name with the true extension", async () => {
    const { store, storage, conversation, accept } = setup();
    const bytes = new Uint8Array([...PNG, 1, 2, 3]);
    const record = await accept("../Screenshot 2026-12-04.PNG", bytes);
    expect(record).toMatchObject({
      conversationId: conversation.id,
      siteId: "shop",
      name: "Screenshot_2026-12-04.png",
      type: "image/png",
      size: bytes.length,
      from: "visitor",
    });
    expect(record.id.startsWith(`${conversation.id}-`)).toBe(true);
    expect(await storage.get(storageKey(record))).toEqual(bytes);
    expect(await store.getAttachment(record.id)).toEqual(record);
  });

  it("refuses a page dressed as an image, and a file over the site's size, keeping nothing", async () => {
    const { store, storage, conversation, accept } = setup({ ...DEFAULT_RULES, maxBytes: 1024 });
    const page = new TextEncoder().encode("<!DOCTYPE html><script>alert(1)</script>");
    await expect(accept("cat.png", page)).rejects.toMatchObject({
      code: "unsupported_media_type",
      message: expect.stringContaining("text/html"),
    });
    await expect(
      accept("big.png", new Uint8Array([...PNG, ...new Array(2000).fill(0)])),
    ).rejects.toMatchObject({
      code: "payload_too_large",
      message: "Files are limited to 1 KB here",
    });
    await expect(accept("empty.txt", new Uint8Array())).rejects.toMatchObject({
      code: "bad_request",
    });
    expect(await store.conversationAttachments(conversation.id)).toEqual([]);
    expect(await storage.deletePrefix(`shop/${conversation.id}`)).toBe(0);
  });
});
