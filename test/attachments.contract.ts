import { describe, expect, it } from "vitest";
import type { AttachmentStorage } from "../server/attachments/storage.ts";

/**
 * What every attachment storage does alike (`server/attachments/storage.ts`): the same bytes
 * back, byte for byte; nothing for a key never put; a conversation's files gone together; no key
 * outside its own shape ever reaching the backend.
 */
export function describeAttachmentStorageContract(
  name: string,
  open: () => Promise<AttachmentStorage>,
): void {
  describe(`attachment storage contract: ${name}`, () => {
    let n = 0;
    const key = (conversation = `c${Date.now().toString(36)}${n++}`) =>
      `site-a/${conversation}/a${n++}`;

    it("gives back the same bytes, all 256 values and empty files included", async () => {
      const storage = await open();
      const bytes = new Uint8Array(70_000).map((_, i) => i % 256);
      const k = key();
      await storage.put(k, bytes);
      const back = await storage.get(k);
      expect(back?.length).toBe(bytes.length);
      expect(Buffer.from(back!).equals(Buffer.from(bytes))).toBe(true);
      const empty = key();
      await storage.put(empty, new Uint8Array());
      expect(await storage.get(empty)).toEqual(new Uint8Array());
    });

    it("answers null for a key never put, and replaces on a second put", async () => {
      const storage = await open();
      expect(await storage.get(key())).toBeNull();
      const k = key();
      await storage.put(k, new TextEncoder().encode("first"));
      await storage.put(k, new TextEncoder().encode("second"));
      expect(new TextDecoder().decode((await storage.get(k))!)).toBe("second");
    });

    it("erases a conversation's files together, and only those", async () => {
      const storage = await open();
      const conversation = `gone${Date.now().toString(36)}`;
      const mine = [key(conversation), key(conversation), key(conversation)];
      const other = key();
      for (const k of [...mine, other]) await storage.put(k, new Uint8Array([1, 2, 3]));
      expect(await storage.deletePrefix(`site-a/${conversation}`)).toBe(3);
      for (const k of mine) expect(await storage.get(k)).toBeNull();
      expect(await storage.get(other)).toEqual(new Uint8Array([1, 2, 3]));
      expect(await storage.deletePrefix(`site-a/${conversation}`)).toBe(0);
    });

    it("refuses a key that is not one of ours before touching anything", async () => {
      const storage = await open();
      for (const bad of [
        "../etc/passwd",
        "site-a/../../x",
        "/abs/key",
        "site-a",
        "Site-A/c/a",
        "site-a/c/a/b/c",
      ]) {
        await expect(storage.put(bad, new Uint8Array([1])), bad).rejects.toThrow(
          /Not an attachment key/,
        );
        await expect(storage.get(bad), bad).rejects.toThrow(/Not an attachment key/);
      }
      await expect(storage.deletePrefix("../")).rejects.toThrow(/Not an attachment prefix/);
    });
  });
}
