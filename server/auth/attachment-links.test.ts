import { describe, expect, it } from "vitest";
import { signAttachment, verifyAttachment } from "./attachment-links.ts";
import { generateKeyRingConfig, loadKeyRing } from "./keys.ts";

const NOW = Date.parse("2026-12-04T10:00:00Z");

describe("attachment download links", () => {
  it("open their own file until they expire", async () => {
    const ring = await loadKeyRing(await generateKeyRingConfig());
    const sig = await signAttachment(ring, "a1b2c3", NOW, 3600);
    await expect(verifyAttachment(ring, "a1b2c3", sig, NOW + 3_599_000)).resolves.toBeUndefined();
    await expect(verifyAttachment(ring, "a1b2c3", sig, NOW + 3_600_000)).rejects.toMatchObject({
      code: "token_expired",
    });
  });

  it("open nothing when the id, the expiry or the MAC is changed, or the link was not ours", async () => {
    const ring = await loadKeyRing(await generateKeyRingConfig());
    const sig = await signAttachment(ring, "a1b2c3", NOW, 3600);
    const [exp, tag] = sig.split(".") as [string, string];
    const flipped = `${tag.slice(0, -1)}${tag.endsWith("A") ? "B" : "A"}`;
    const changed = `${tag.startsWith("A") ? "B" : "A"}${tag.slice(1)}`;
    for (const [id, bad] of [
      ["other1", sig],
      ["a1b2c3", `${Number(exp) + 86_400}.${tag}`],
      ["a1b2c3", `${exp}.${flipped}`],
      ["a1b2c3", `${exp}.${changed}`],
      ["a1b2c3", undefined],
      ["a1b2c3", "garbage"],
    ] as const) {
      await expect(verifyAttachment(ring, id, bad, NOW)).rejects.toMatchObject({
        code: "unauthorized",
      });
    }
    const stranger = await loadKeyRing(await generateKeyRingConfig());
    await expect(verifyAttachment(stranger, "a1b2c3", sig, NOW)).rejects.toMatchObject({
      code: "unauthorized",
    });
  });

  it("keep working when the ring rotates in a new secret", async () => {
    const config = await generateKeyRingConfig();
    const before = await loadKeyRing(config);
    const sig = await signAttachment(before, "a1b2c3", NOW, 3600);
    const fresh = (await generateKeyRingConfig()).secrets[0]!;
    const after = await loadKeyRing({ ...config, secrets: [fresh, ...config.secrets] });
    await expect(verifyAttachment(after, "a1b2c3", sig, NOW)).resolves.toBeUndefined();
  });
});
