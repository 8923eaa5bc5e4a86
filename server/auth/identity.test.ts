import { generateKeyPair, SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { AppError } from "../errors.ts";
import { toBase64Url } from "./bytes.ts";
import { verifySiteIdentity } from "./identity.ts";

const T0 = Date.UTC(2030, 0, 1);
const SECRET = "demo-identity-secret-0123456789abcdef";
const site = { id: "demo", identitySecret: SECRET };
const at = (ms: number) => ({ now: () => ms });

function proof(
  claims: Record<string, unknown>,
  options: { iat?: number | null; exp?: number; secret?: string } = {},
) {
  const jwt = new SignJWT(claims).setProtectedHeader({ alg: "HS256", typ: "JWT" });
  if (options.iat !== null) jwt.setIssuedAt(options.iat ?? T0 / 1000);
  if (options.exp !== undefined) jwt.setExpirationTime(options.exp);
  return jwt.sign(new TextEncoder().encode(options.secret ?? SECRET));
}

async function refused(promise: Promise<unknown>, code = "unauthorized"): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe(code);
  return error as AppError;
}

describe("verifySiteIdentity", () => {
  it("returns the user id, email and name of a valid proof", async () => {
    const jwt = await proof({ sub: "user-42", email: "ada@example.com", name: "Ada" });
    await expect(verifySiteIdentity(jwt, site, at(T0 + 1000))).resolves.toEqual({
      userId: "user-42",
      email: "ada@example.com",
      name: "Ada",
    });
  });

  it("leaves out email and name when absent", async () => {
    const jwt = await proof({ sub: "user-42" });
    await expect(verifySiteIdentity(jwt, site, at(T0))).resolves.toEqual({ userId: "user-42" });
  });

  it("refuses an empty token", async () => {
    await refused(verifySiteIdentity("", site, at(T0)));
  });

  it("refuses when the site has no secret or an empty one", async () => {
    const jwt = await proof({ sub: "user-42" });
    await refused(verifySiteIdentity(jwt, { id: "demo" }, at(T0)));
    await refused(verifySiteIdentity(jwt, { id: "demo", identitySecret: "" }, at(T0)));
  });

  it("refuses a forged or altered proof", async () => {
    const jwt = await proof({ sub: "user-42" });
    const [header, , signature] = jwt.split(".");
    const payload = toBase64Url(
      new TextEncoder().encode(JSON.stringify({ sub: "admin", iat: T0 / 1000 })),
    );
    await refused(verifySiteIdentity(`${header}.${payload}.${signature}`, site, at(T0)));
    await refused(verifySiteIdentity("not.a.jwt", site, at(T0)));
  });

  it("refuses a proof signed with another site's secret", async () => {
    const jwt = await proof(
      { sub: "user-42" },
      { secret: "another-sites-secret-0123456789abcdef" },
    );
    await refused(verifySiteIdentity(jwt, site, at(T0)));
  });

  it("refuses an expired proof and honours exp when present", async () => {
    const jwt = await proof({ sub: "user-42" }, { exp: T0 / 1000 + 60 });
    await expect(verifySiteIdentity(jwt, site, at(T0 + 59_000))).resolves.toBeDefined();
    await refused(verifySiteIdentity(jwt, site, at(T0 + 60_000)));
  });

  it("refuses a stale proof: older than maxAgeSeconds (24 hours by default)", async () => {
    const jwt = await proof({ sub: "user-42" });
    await expect(verifySiteIdentity(jwt, site, at(T0 + 23 * 3_600_000))).resolves.toBeDefined();
    await refused(verifySiteIdentity(jwt, site, at(T0 + 25 * 3_600_000)));
    await refused(verifySiteIdentity(jwt, site, { now: () => T0 + 120_000, maxAgeSeconds: 60 }));
  });

  it("refuses a proof without iat or sub, or with an empty sub", async () => {
    await refused(verifySiteIdentity(await proof({ sub: "u" }, { iat: null }), site, at(T0)));
    await refused(verifySiteIdentity(await proof({}), site, at(T0)));
    await refused(verifySiteIdentity(await proof({ sub: "" }), site, at(T0)));
    await refused(verifySiteIdentity(await proof({ sub: 42 }), site, at(T0)));
  });

  it("refuses alg none", async () => {
    const encode = (value: unknown) => toBase64Url(new TextEncoder().encode(JSON.stringify(value)));
    const jwt = `${encode({ alg: "none", typ: "JWT" })}.${encode({ sub: "admin", iat: T0 / 1000 })}.`;
    await refused(verifySiteIdentity(jwt, site, at(T0)));
  });

  it("refuses other algorithms, even with a valid signature", async () => {
    const { privateKey } = await generateKeyPair("ES256");
    const es = await new SignJWT({ sub: "u" })
      .setProtectedHeader({ alg: "ES256" })
      .setIssuedAt(T0 / 1000)
      .sign(privateKey);
    await refused(verifySiteIdentity(es, site, at(T0)));
    const hs512 = await new SignJWT({ sub: "u" })
      .setProtectedHeader({ alg: "HS512" })
      .setIssuedAt(T0 / 1000)
      .sign(new TextEncoder().encode(SECRET));
    await refused(verifySiteIdentity(hs512, site, at(T0)));
  });

  it("answers bad_request for an authentic proof with a malformed email or name", async () => {
    const malformed = await refused(
      verifySiteIdentity(await proof({ sub: "u", email: "nope" }), site, at(T0)),
      "bad_request",
    );
    // The server's one email rule, the field named as everywhere else.
    expect(malformed.message).toBe(
      'Identity proof: "email" must be an email address like ana@example.com',
    );
    await refused(
      verifySiteIdentity(await proof({ sub: "u", email: 7 }), site, at(T0)),
      "bad_request",
    );
    const long = await refused(
      verifySiteIdentity(await proof({ sub: "u", name: "x".repeat(201) }), site, at(T0)),
      "bad_request",
    );
    expect(long.message).toBe('Identity proof: "name" must be at most 200 characters');
    await refused(
      verifySiteIdentity(await proof({ sub: "x".repeat(257) }), site, at(T0)),
      "bad_request",
    );
    await refused(
      verifySiteIdentity(await proof({ sub: "u", name: ["Ada"] }), site, at(T0)),
      "bad_request",
    );
    await expect(
      verifySiteIdentity(await proof({ sub: "u", name: "x".repeat(200) }), site, at(T0)),
    ).resolves.toMatchObject({ name: "x".repeat(200) });
  });
});
