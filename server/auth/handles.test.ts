import { beforeAll, describe, expect, it } from "vitest";
import type { ChannelName } from "../../sdk/protocol.ts";
import { refused } from "../../test/helpers/refused.ts";
import { decodeBase32, encodeBase32, randomId } from "./base32.ts";
import { createHandleService } from "./handles.ts";
import { generateKeyRingConfig, type KeyRing, type KeyRingConfig, loadKeyRing } from "./keys.ts";

const T0 = Date.UTC(2030, 0, 1);
const DAY = 86_400;
const CHANNELS: ChannelName[] = ["web", "messenger", "email", "callback", "telegram"];

let config: KeyRingConfig;
let ring: KeyRing;

beforeAll(async () => {
  config = await generateKeyRingConfig();
  ring = await loadKeyRing(config);
});

const service = (at = T0, r = ring) => createHandleService(r, { now: () => at });

describe("handles", () => {
  it("fit every channel's field: at most 48 characters of [a-z2-7]", async () => {
    for (const channel of CHANNELS) {
      const handle = await service().issue({
        conversationId: randomId(),
        channel,
        ttlSeconds: 365 * DAY,
      });
      expect(handle.length).toBeLessThanOrEqual(48);
      expect(handle).toHaveLength(44);
      expect(handle).toMatch(/^[a-z2-7]+$/);
    }
  });

  it("round-trip the conversation, channel and expiry", async () => {
    for (const channel of CHANNELS) {
      const conversationId = randomId();
      const handle = await service().issue({ conversationId, channel, ttlSeconds: 7 * DAY });
      await expect(service().open(handle, channel)).resolves.toEqual({
        conversationId,
        channel,
        expiresAt: T0 / 1000 + 7 * DAY,
      });
      await expect(service().open(handle)).resolves.toMatchObject({ conversationId, channel });
    }
  });

  it("lay out the documented bytes", async () => {
    const conversationId = randomId();
    const handle = await service().issue({ conversationId, channel: "email", ttlSeconds: 100 });
    const bytes = decodeBase32(handle);
    expect(bytes).toHaveLength(27);
    expect(encodeBase32(bytes.subarray(0, 12))).toBe(conversationId);
    expect(new DataView(bytes.buffer).getUint32(12)).toBe(T0 / 1000 + 100);
    expect(bytes[16]).toBe(3);
  });

  it("open when upper-cased by a mail system", async () => {
    const conversationId = randomId();
    const handle = await service().issue({ conversationId, channel: "email", ttlSeconds: DAY });
    await expect(service().open(handle.toUpperCase(), "email")).resolves.toMatchObject({
      conversationId,
    });
  });

  it("refuse any single altered character", async () => {
    const handle = await service().issue({
      conversationId: randomId(),
      channel: "messenger",
      ttlSeconds: DAY,
    });
    for (let i = 0; i < handle.length; i++) {
      for (const replacement of ["a", "z", "2", "7", "q"]) {
        if (handle[i] === replacement) continue;
        const altered = handle.slice(0, i) + replacement + handle.slice(i + 1);
        await refused(service().open(altered), "unauthorized");
      }
    }
  });

  it("refuse wrong lengths and foreign characters with their own messages", async () => {
    const handle = await service().issue({
      conversationId: randomId(),
      channel: "web",
      ttlSeconds: DAY,
    });
    await refused(service().open(handle.slice(0, -1)), "unauthorized", /length/);
    await refused(service().open(`${handle}a`), "unauthorized", /length/);
    await refused(service().open(""), "unauthorized", /length/);
    await refused(service().open(`${handle.slice(0, -1)}1`), "unauthorized", /base32/);
    await refused(service().open(`${handle.slice(0, -2)}-_`), "unauthorized", /base32/);
  });

  it("refuse forgeries and handles from another ring's secret", async () => {
    await refused(service().open("a".repeat(44)), "unauthorized", /signature/);
    const other = await loadKeyRing(await generateKeyRingConfig());
    const foreign = await service(T0, other).issue({
      conversationId: randomId(),
      channel: "email",
      ttlSeconds: DAY,
    });
    await refused(service().open(foreign), "unauthorized", /signature/);
  });

  it("honour expiry with token_expired", async () => {
    const handle = await service().issue({
      conversationId: randomId(),
      channel: "email",
      ttlSeconds: 60,
    });
    await expect(service(T0 + 59_999).open(handle)).resolves.toBeDefined();
    await refused(service(T0 + 60_000).open(handle), "token_expired", /expired/);
    await refused(service(T0 + 400 * DAY * 1000).open(handle), "token_expired");
  });

  it("refuse another channel's handle", async () => {
    const handle = await service().issue({
      conversationId: randomId(),
      channel: "messenger",
      ttlSeconds: DAY,
    });
    await refused(service().open(handle, "email"), "unauthorized", /another channel/);
  });

  it("stay valid after rotation (new secret first, old second) while new ones use the new secret", async () => {
    const conversationId = randomId();
    const old = await service().issue({ conversationId, channel: "email", ttlSeconds: 90 * DAY });
    const next = await generateKeyRingConfig();
    const rotated = await loadKeyRing({
      keys: config.keys,
      secrets: [...next.secrets, ...config.secrets],
    });
    await expect(service(T0, rotated).open(old, "email")).resolves.toMatchObject({
      conversationId,
    });

    const fresh = await service(T0, rotated).issue({
      conversationId,
      channel: "email",
      ttlSeconds: DAY,
    });
    const newOnly = await loadKeyRing({ keys: config.keys, secrets: next.secrets });
    await expect(service(T0, newOnly).open(fresh)).resolves.toMatchObject({ conversationId });
    await refused(service().open(fresh), "unauthorized", /signature/);
  });

  it("refuse to issue for ids and lifetimes they cannot carry", async () => {
    const id = randomId();
    const issue = (conversationId: string, ttlSeconds = DAY) =>
      service().issue({ conversationId, channel: "web", ttlSeconds });
    await expect(issue("conv-1")).rejects.toThrow(TypeError);
    await expect(issue(id.toUpperCase())).rejects.toThrow(TypeError);
    await expect(issue(randomId(13))).rejects.toThrow(TypeError);
    await expect(issue(`${id.slice(0, 19)}b`)).rejects.toThrow(TypeError); // stray trailing bits
    await expect(issue(id, 0)).rejects.toThrow(TypeError);
    await expect(issue(id, 1.5)).rejects.toThrow(TypeError);
    await expect(issue(id, 2 ** 32)).rejects.toThrow(TypeError);
    await expect(
      service().issue({ conversationId: id, channel: "fax" as ChannelName, ttlSeconds: DAY }),
    ).rejects.toThrow(TypeError);
  });
});
