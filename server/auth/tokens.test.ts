import { decodeJwt, decodeProtectedHeader, generateKeyPair, SignJWT } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { refused } from "../../test/helpers/refused.ts";
import { toBase64Url } from "./bytes.ts";
import { generateKeyRingConfig, type KeyRing, type KeyRingConfig, loadKeyRing } from "./keys.ts";
import { createTokenService } from "./tokens.ts";

const ISSUER = "https://chat.example.com";
const T0 = Date.UTC(2030, 0, 1);
const DAY = 86_400_000;
const claims = { contactId: "contact-1", conversationId: "conv-1", siteId: "demo" };
const agent = { email: "agent@example.com", name: "Alex", siteId: "demo" };

let config: KeyRingConfig;
let ring: KeyRing;

beforeAll(async () => {
  config = await generateKeyRingConfig();
  ring = await loadKeyRing(config);
});

function service(at = T0, r = ring) {
  return createTokenService(r, { issuer: ISSUER, now: () => at });
}

const encodeJson = (value: unknown) => toBase64Url(new TextEncoder().encode(JSON.stringify(value)));

describe("conversation tokens", () => {
  it("round-trips with the documented header and claims", async () => {
    const { token, expiresAt } = await service().signConversationToken(claims);
    expect(decodeProtectedHeader(token)).toEqual({
      alg: "ES256",
      kid: ring.signingKey.kid,
      typ: "JWT",
    });
    const iat = T0 / 1000;
    expect(decodeJwt(token)).toEqual({
      iss: ISSUER,
      aud: "omnithread",
      sub: "contact-1",
      cid: "conv-1",
      site: "demo",
      iat,
      exp: iat + 30 * 86_400,
    });
    expect(expiresAt).toBe(new Date(T0 + 30 * DAY).toISOString());
    expect(await service(T0 + DAY).verifyConversationToken(token, "demo")).toEqual({
      ...claims,
      expiresAt: iat + 30 * 86_400,
    });
  });

  it("honours a configured lifetime and expires", async () => {
    const short = createTokenService(ring, {
      issuer: ISSUER,
      visitorTtlSeconds: 60,
      now: () => T0,
    });
    const { token } = await short.signConversationToken(claims);
    await expect(service(T0 + 59_000).verifyConversationToken(token)).resolves.toMatchObject(
      claims,
    );
    await refused(service(T0 + 60_000).verifyConversationToken(token), "token_expired");
  });

  it("expires after 30 days by default", async () => {
    const { token } = await service().signConversationToken(claims);
    await refused(service(T0 + 30 * DAY).verifyConversationToken(token), "token_expired");
  });

  it("refuses another site's token as wrong_site without naming either site", async () => {
    const { token } = await service().signConversationToken(claims);
    const error = await refused(service().verifyConversationToken(token, "shop-b"), "wrong_site");
    expect(error.message).not.toMatch(/demo|shop-b/);
  });

  it("refuses an agent token", async () => {
    const { token } = await service().signAgentToken(agent);
    await refused(service().verifyConversationToken(token), "unauthorized", /audience/);
  });

  it("refuses a token from another issuer", async () => {
    const foreign = createTokenService(ring, { issuer: "https://evil.example", now: () => T0 });
    const { token } = await foreign.signConversationToken(claims);
    await refused(service().verifyConversationToken(token), "unauthorized", /issuer/);
  });

  it("refuses alg none", async () => {
    const payload = decodeJwt((await service().signConversationToken(claims)).token);
    const token = `${encodeJson({ alg: "none", typ: "JWT" })}.${encodeJson(payload)}.`;
    await refused(service().verifyConversationToken(token), "unauthorized");
  });

  it("refuses HS256 signed with the public key as the secret", async () => {
    const publicJwk = ring.jwks().keys[0]!;
    for (const secret of [JSON.stringify(publicJwk), publicJwk.x]) {
      const token = await new SignJWT({ cid: "conv-1", site: "demo" })
        .setProtectedHeader({ alg: "HS256", kid: publicJwk.kid, typ: "JWT" })
        .setIssuer(ISSUER)
        .setAudience("omnithread")
        .setSubject("contact-1")
        .setIssuedAt(T0 / 1000)
        .setExpirationTime(T0 / 1000 + 3600)
        .sign(new TextEncoder().encode(secret));
      await refused(service().verifyConversationToken(token), "unauthorized", /algorithm/);
    }
  });

  it("refuses an EdDSA header on an ES256 key", async () => {
    const { privateKey } = await generateKeyPair("EdDSA");
    const token = await new SignJWT({ cid: "conv-1", site: "demo" })
      .setProtectedHeader({ alg: "EdDSA", kid: ring.signingKey.kid, typ: "JWT" })
      .setIssuer(ISSUER)
      .setAudience("omnithread")
      .setSubject("contact-1")
      .setIssuedAt(T0 / 1000)
      .setExpirationTime(T0 / 1000 + 3600)
      .sign(privateKey);
    await refused(service().verifyConversationToken(token), "unauthorized", /algorithm/);
  });

  it("refuses an altered payload or signature", async () => {
    const { token } = await service().signConversationToken(claims);
    const [header, payload, signature] = token.split(".") as [string, string, string];
    const forged = encodeJson({ ...decodeJwt(token), cid: "someone-elses" });
    await refused(
      service().verifyConversationToken(`${header}.${forged}.${signature}`),
      "unauthorized",
      /signature/,
    );
    const swapped = signature[5] === "A" ? "B" : "A";
    const altered = `${header}.${payload}.${signature.slice(0, 5)}${swapped}${signature.slice(6)}`;
    await refused(service().verifyConversationToken(altered), "unauthorized");
  });

  it("refuses an unknown kid and a known kid on another key", async () => {
    const other = await generateKeyRingConfig();
    const { token } = await service(T0, await loadKeyRing(other)).signConversationToken(claims);
    await refused(service().verifyConversationToken(token), "unauthorized", /unknown key/);

    const impostor = await loadKeyRing({
      keys: [{ ...other.keys[0]!, kid: ring.signingKey.kid }],
      secrets: other.secrets,
    });
    const { token: spoofed } = await service(T0, impostor).signConversationToken(claims);
    await refused(service().verifyConversationToken(spoofed), "unauthorized", /signature/);
  });

  it("refuses a token lacking cid or site, or with an empty one", async () => {
    const base = () =>
      new SignJWT({})
        .setIssuer(ISSUER)
        .setAudience("omnithread")
        .setSubject("contact-1")
        .setIssuedAt(T0 / 1000)
        .setExpirationTime(T0 / 1000 + 3600);
    const header = { alg: "ES256", kid: ring.signingKey.kid, typ: "JWT" };
    const tokens = [
      await base().setProtectedHeader(header).sign(ring.signingKey.privateKey),
      await new SignJWT({ cid: "conv-1", site: "" })
        .setProtectedHeader(header)
        .setIssuer(ISSUER)
        .setAudience("omnithread")
        .setSubject("contact-1")
        .setIssuedAt(T0 / 1000)
        .setExpirationTime(T0 / 1000 + 3600)
        .sign(ring.signingKey.privateKey),
      await new SignJWT({ cid: 42, site: "demo" })
        .setProtectedHeader(header)
        .setIssuer(ISSUER)
        .setAudience("omnithread")
        .setSubject("contact-1")
        .setIssuedAt(T0 / 1000)
        .setExpirationTime(T0 / 1000 + 3600)
        .sign(ring.signingKey.privateKey),
    ];
    for (const token of tokens) {
      await refused(service().verifyConversationToken(token), "unauthorized", /claim/);
    }
  });

  it("refuses a token without exp or iat", async () => {
    const header = { alg: "ES256", kid: ring.signingKey.kid, typ: "JWT" };
    const noExp = await new SignJWT({ cid: "c", site: "demo" })
      .setProtectedHeader(header)
      .setIssuer(ISSUER)
      .setAudience("omnithread")
      .setSubject("s")
      .setIssuedAt(T0 / 1000)
      .sign(ring.signingKey.privateKey);
    const noIat = await new SignJWT({ cid: "c", site: "demo" })
      .setProtectedHeader(header)
      .setIssuer(ISSUER)
      .setAudience("omnithread")
      .setSubject("s")
      .setExpirationTime(T0 / 1000 + 60)
      .sign(ring.signingKey.privateKey);
    await refused(service().verifyConversationToken(noExp), "unauthorized");
    await refused(service().verifyConversationToken(noIat), "unauthorized");
  });

  it("refuses garbage with short messages that never echo the input", async () => {
    const inputs = [
      "",
      "abc",
      "a.b.c",
      "x".repeat(10_000),
      `${encodeJson({ alg: "ES256" })}.@@.@@`,
    ];
    for (const input of inputs) {
      const error = await refused(service().verifyConversationToken(input), "unauthorized");
      expect(error.message.length).toBeLessThan(60);
      if (input.length > 3) expect(error.message).not.toContain(input.slice(0, 10));
    }
  });

  it("signs and verifies with an EdDSA key", async () => {
    const { privateKey } = await generateKeyPair("EdDSA", { extractable: true });
    const { exportJWK } = await import("jose");
    const edRing = await loadKeyRing({
      keys: [{ ...(await exportJWK(privateKey)), kid: "ed", alg: "EdDSA" }],
      secrets: config.secrets,
    });
    const { token } = await service(T0, edRing).signConversationToken(claims);
    expect(decodeProtectedHeader(token).alg).toBe("EdDSA");
    await expect(service(T0, edRing).verifyConversationToken(token)).resolves.toMatchObject(claims);
  });
});

describe("key rotation", () => {
  it("keeps tokens signed before retirement valid and refuses ones signed after", async () => {
    const next = await generateKeyRingConfig();
    const retiredAt = (T0 + DAY) / 1000;
    const rotated = await loadKeyRing({
      keys: [next.keys[0]!, { ...config.keys[0]!, retiredAt }],
      secrets: config.secrets,
    });

    const before = await service(T0).signConversationToken(claims);
    await expect(
      service(T0 + 2 * DAY, rotated).verifyConversationToken(before.token),
    ).resolves.toMatchObject(claims);
    // ... until it expires like any token.
    await refused(
      service(T0 + 30 * DAY, rotated).verifyConversationToken(before.token),
      "token_expired",
    );

    // The old key, still in use somewhere after its retirement, no longer counts.
    const after = await service(T0 + DAY).signConversationToken(claims);
    await refused(
      service(T0 + 2 * DAY, rotated).verifyConversationToken(after.token),
      "unauthorized",
      /retired/,
    );

    const fresh = await service(T0 + 2 * DAY, rotated).signConversationToken(claims);
    expect(decodeProtectedHeader(fresh.token).kid).toBe(next.keys[0]?.kid);
    await expect(
      service(T0 + 2 * DAY, rotated).verifyConversationToken(fresh.token),
    ).resolves.toMatchObject(claims);
  });
});

describe("agent tokens", () => {
  it("round-trips with the agent audience and a 12 hour default lifetime", async () => {
    const { token, expiresAt } = await service().signAgentToken(agent);
    expect(decodeJwt(token)).toMatchObject({
      aud: "omnithread-agent",
      sub: agent.email,
      name: agent.name,
      site: "demo",
    });
    expect(expiresAt).toBe(new Date(T0 + 12 * 3_600_000).toISOString());
    await expect(service(T0 + 3_600_000).verifyAgentToken(token)).resolves.toEqual(agent);
    await refused(service(T0 + 12 * 3_600_000).verifyAgentToken(token), "token_expired");
  });

  it("honours agentTtlSeconds", async () => {
    const s = createTokenService(ring, { issuer: ISSUER, agentTtlSeconds: 10, now: () => T0 });
    const { token } = await s.signAgentToken(agent);
    await refused(service(T0 + 10_000).verifyAgentToken(token), "token_expired");
  });

  it("refuses a visitor token", async () => {
    const { token } = await service().signConversationToken(claims);
    await refused(service().verifyAgentToken(token), "unauthorized", /audience/);
  });

  it("refuses empty claims when signing, as a programming error", async () => {
    expect(() => service().signAgentToken({ ...agent, email: "" })).toThrow(TypeError);
    expect(() => service().signConversationToken({ ...claims, siteId: "" })).toThrow(TypeError);
  });
});
