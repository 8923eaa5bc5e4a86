import { exportJWK, generateKeyPair } from "jose";
import { describe, expect, it } from "vitest";
import { toBase64Url } from "./bytes.ts";
import { generateKeyRingConfig, type KeyConfig, type KeyRingConfig, loadKeyRing } from "./keys.ts";

async function edKey(kid: string): Promise<KeyConfig> {
  const { privateKey } = await generateKeyPair("EdDSA", { extractable: true });
  return { ...(await exportJWK(privateKey)), kid, alg: "EdDSA" };
}

describe("generateKeyRingConfig", () => {
  it("makes one ES256 key with a random kid and one 32-byte secret", async () => {
    const a = await generateKeyRingConfig();
    const b = await generateKeyRingConfig();
    expect(a.keys).toHaveLength(1);
    expect(a.keys[0]).toMatchObject({ kty: "EC", crv: "P-256", alg: "ES256" });
    expect(a.keys[0]?.d).toEqual(expect.any(String));
    expect(a.keys[0]?.kid).not.toBe(b.keys[0]?.kid);
    expect(a.secrets).toHaveLength(1);
    expect(a.secrets[0]).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it("survives a JSON round trip, as configuration does", async () => {
    const config = JSON.parse(JSON.stringify(await generateKeyRingConfig())) as KeyRingConfig;
    const ring = await loadKeyRing(config);
    expect(ring.signingKey.kid).toBe(config.keys[0]?.kid);
  });
});

describe("loadKeyRing", () => {
  it("signs with the first key that is not retired", async () => {
    const old = await generateKeyRingConfig();
    const fresh = await generateKeyRingConfig();
    const ring = await loadKeyRing({
      keys: [{ ...old.keys[0]!, retiredAt: 1_700_000_000 }, fresh.keys[0]!],
      secrets: fresh.secrets,
    });
    expect(ring.signingKey.kid).toBe(fresh.keys[0]?.kid);
    expect(ring.signingKey.alg).toBe("ES256");
    expect(ring.signingKey.privateKey.type).toBe("private");
    expect(ring.signingKey.privateKey.extractable).toBe(false);
    expect(ring.verifyingKey(old.keys[0]!.kid)?.retiredAt).toBe(1_700_000_000);
    expect(ring.verifyingKey(fresh.keys[0]!.kid)?.publicKey.type).toBe("public");
    expect(ring.verifyingKey("nope")).toBeUndefined();
  });

  it("publishes public parts only, retired keys included", async () => {
    const es = await generateKeyRingConfig();
    const ed = await edKey("ed-1");
    const ring = await loadKeyRing({
      keys: [ed, { ...es.keys[0]!, retiredAt: 1_700_000_000 }],
      secrets: es.secrets,
    });
    const { keys } = ring.jwks();
    expect(keys).toHaveLength(2);
    expect(keys[0]).toEqual({
      kty: "OKP",
      crv: "Ed25519",
      x: ed.x,
      kid: "ed-1",
      alg: "EdDSA",
      use: "sig",
    });
    expect(keys[1]).toEqual({
      kty: "EC",
      crv: "P-256",
      x: es.keys[0]?.x,
      y: es.keys[0]?.y,
      kid: es.keys[0]?.kid,
      alg: "ES256",
      use: "sig",
    });
    expect(JSON.stringify(ring.jwks())).not.toContain('"d"');
    // A caller mutating the answer must not change the ring.
    delete (keys[0] as { x?: string }).x;
    expect(ring.jwks().keys[0]?.x).toBe(ed.x);
  });

  it("accepts a retired key given as a public key only", async () => {
    const old = await generateKeyRingConfig();
    const { d: _d, ...publicOnly } = old.keys[0]!;
    const fresh = await generateKeyRingConfig();
    const ring = await loadKeyRing({
      keys: [fresh.keys[0]!, { ...publicOnly, retiredAt: 1 }],
      secrets: fresh.secrets,
    });
    expect(ring.verifyingKey(old.keys[0]!.kid)).toBeDefined();
  });

  it("keeps every secret in order", async () => {
    const a = await generateKeyRingConfig();
    const b = await generateKeyRingConfig();
    const ring = await loadKeyRing({ keys: a.keys, secrets: [...a.secrets, ...b.secrets] });
    expect(ring.macKeys).toHaveLength(2);
  });

  it("refuses broken configuration with a message naming the problem", async () => {
    const good = await generateKeyRingConfig();
    const key = good.keys[0]!;
    const { d: _d, ...publicOnly } = key;
    const cases: Array<[KeyRingConfig, RegExp]> = [
      [{ keys: [], secrets: good.secrets }, /no signing keys/],
      [{ keys: good.keys, secrets: [] }, /no HMAC secrets/],
      [{ keys: [{ ...key, retiredAt: 1 }], secrets: good.secrets }, /every key is retired/],
      [{ keys: [key, key], secrets: good.secrets }, /repeats a kid/],
      [{ keys: [{ ...key, kid: "" }], secrets: good.secrets }, /no kid/],
      [{ keys: [{ ...key, alg: "HS256" as "ES256" }], secrets: good.secrets }, /alg must be/],
      [{ keys: [{ ...key, alg: "toString" as "ES256" }], secrets: good.secrets }, /alg must be/],
      [{ keys: [{ ...key, alg: "EdDSA" }], secrets: good.secrets }, /needs a OKP Ed25519/],
      [{ keys: [{ ...key, x: "AAAA" }], secrets: good.secrets }, /not a valid ES256 public key/],
      [{ keys: [publicOnly], secrets: good.secrets }, /no private part/],
      [{ keys: good.keys, secrets: [toBase64Url(new Uint8Array(16))] }, /shorter than 32 bytes/],
      [{ keys: good.keys, secrets: ["not base64!"] }, /not base64url/],
    ];
    for (const [config, message] of cases) {
      await expect(loadKeyRing(config), String(message)).rejects.toThrow(message);
    }
  });
});
