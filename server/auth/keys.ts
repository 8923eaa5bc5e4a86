import { type CryptoKey, exportJWK, generateKeyPair, importJWK, type JWK } from "jose";
import { randomId } from "./base32.ts";
import { fromBase64Url, randomBytes, toBase64Url } from "./bytes.ts";

/**
 * The JWS algorithms the ring signs and verifies with; nothing else is ever accepted.
 *
 * @example
 * const alg: SigningAlgorithm = "ES256";
 */
export type SigningAlgorithm = "ES256" | "EdDSA";

/**
 * One configured key: a JWK (private for the signing key, public is enough once retired).
 *
 * @example
 * const retired: KeyConfig = { kty: "EC", crv: "P-256", x, y, kid: "2024-01", alg: "ES256", retiredAt: 1735689600 };
 */
export type KeyConfig = JWK & {
  kid: string;
  alg: SigningAlgorithm;
  /** Unix seconds. Set when the key stops signing; it verifies older tokens until they expire. */
  retiredAt?: number;
};

/**
 * Keys and secrets as they sit in configuration (JSON).
 *
 * @example
 * const config: KeyRingConfig = { keys: [{ kty: "EC", crv: "P-256", x, y, d, kid: "k1", alg: "ES256" }], secrets: ["…"] };
 */
export interface KeyRingConfig {
  keys: KeyConfig[];
  /** Base64url HMAC secrets of at least 32 bytes: the first signs handles, all verify. */
  secrets: string[];
}

/**
 * A public key as published at `/.well-known/jwks.json`: never any private part.
 *
 * @example
 * const jwk: PublicJWK = { kty: "OKP", crv: "Ed25519", x, kid: "k2", alg: "EdDSA", use: "sig" };
 */
export interface PublicJWK {
  kty: "EC" | "OKP";
  crv: string;
  x: string;
  y?: string;
  kid: string;
  alg: SigningAlgorithm;
  use: "sig";
}

/**
 * The key that signs new tokens.
 *
 * @example
 * const { kid, alg, privateKey }: SigningKey = ring.signingKey;
 */
export interface SigningKey {
  kid: string;
  alg: SigningAlgorithm;
  privateKey: CryptoKey;
}

/**
 * A key that may verify tokens; `retiredAt` (unix seconds) limits it to tokens issued before.
 *
 * @example
 * const key: VerifyingKey | undefined = ring.verifyingKey(header.kid);
 */
export interface VerifyingKey {
  kid: string;
  alg: SigningAlgorithm;
  publicKey: CryptoKey;
  retiredAt?: number;
}

/**
 * Loaded, imported keys: what the token and handle services sign and verify with.
 *
 * @example
 * const ring = await loadKeyRing(config);
 * ring.jwks(); // { keys: [{ kty: "EC", crv: "P-256", x, y, kid, alg: "ES256", use: "sig" }] }
 */
export interface KeyRing {
  /** The first key without `retiredAt`. */
  readonly signingKey: SigningKey;
  /** HMAC-SHA-256 keys in configured order: the first signs handles, all verify (rotation). */
  readonly macKeys: readonly CryptoKey[];
  /** The verifying key named by a token's `kid`, if the ring holds one. */
  verifyingKey(kid: string): VerifyingKey | undefined;
  /** Every key's public part, retired ones included while they may still verify tokens. */
  jwks(): { keys: PublicJWK[] };
}

const CURVE_OF: Record<SigningAlgorithm, { kty: "EC" | "OKP"; crv: string }> = {
  ES256: { kty: "EC", crv: "P-256" },
  EdDSA: { kty: "OKP", crv: "Ed25519" },
};

/**
 * Imports a {@link KeyRingConfig}. Throws a plain `Error` naming the bad entry, because a broken
 * configuration must stop the server at start rather than fail requests later.
 *
 * @example
 * const ring = await loadKeyRing(await generateKeyRingConfig());
 */
export async function loadKeyRing(config: KeyRingConfig): Promise<KeyRing> {
  if (config.keys.length === 0) throw new Error("Key ring: no signing keys configured");
  if (config.secrets.length === 0) throw new Error("Key ring: no HMAC secrets configured");

  const verifying = new Map<string, VerifyingKey>();
  const publics: PublicJWK[] = [];
  for (const [i, key] of config.keys.entries()) {
    const where = `Key ring: key ${i} (kid "${key.kid}")`;
    if (typeof key.kid !== "string" || key.kid === "")
      throw new Error(`Key ring: key ${i} has no kid`);
    if (verifying.has(key.kid)) throw new Error(`${where} repeats a kid`);
    const shape = Object.hasOwn(CURVE_OF, key.alg) ? CURVE_OF[key.alg] : undefined;
    if (!shape) throw new Error(`${where}: alg must be ES256 or EdDSA`);
    if (key.kty !== shape.kty || key.crv !== shape.crv || typeof key.x !== "string") {
      throw new Error(`${where}: ${key.alg} needs a ${shape.kty} ${shape.crv} key`);
    }
    if (key.retiredAt !== undefined && !Number.isFinite(key.retiredAt)) {
      throw new Error(`${where}: retiredAt must be unix seconds`);
    }
    const pub: PublicJWK = {
      kty: shape.kty,
      crv: shape.crv,
      x: key.x,
      kid: key.kid,
      alg: key.alg,
      use: "sig",
    };
    if (shape.kty === "EC") pub.y = key.y;
    const publicKey = await importJWK(
      { kty: pub.kty, crv: pub.crv, x: pub.x, y: pub.y },
      key.alg,
    ).catch(() => {
      throw new Error(`${where}: not a valid ${key.alg} public key`);
    });
    verifying.set(key.kid, { kid: key.kid, alg: key.alg, publicKey, retiredAt: key.retiredAt });
    publics.push(pub);
  }

  const active = config.keys.find((key) => key.retiredAt === undefined);
  if (!active) throw new Error("Key ring: every key is retired; add a new signing key first");
  if (typeof active.d !== "string") {
    throw new Error(`Key ring: signing key "${active.kid}" has no private part (d)`);
  }
  const { retiredAt: _retired, ...privateJwk } = active;
  // Not extractable: nothing after start-up needs the private key's bytes.
  // An EC/OKP JWK (checked above) always imports as a CryptoKey, never as raw secret bytes.
  const privateKey = (await importJWK(privateJwk, active.alg, { extractable: false }).catch(() => {
    throw new Error(
      `Key ring: signing key "${active.kid}" is not a valid ${active.alg} private key`,
    );
  })) as CryptoKey;
  const signingKey: SigningKey = { kid: active.kid, alg: active.alg, privateKey };

  const macKeys = await Promise.all(
    config.secrets.map((secret, i) => {
      let raw: Uint8Array<ArrayBuffer>;
      try {
        raw = fromBase64Url(secret);
      } catch {
        throw new Error(`Key ring: secret ${i} is not base64url`);
      }
      if (raw.length < 32) throw new Error(`Key ring: secret ${i} is shorter than 32 bytes`);
      return crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, [
        "sign",
      ]);
    }),
  );

  return {
    signingKey,
    macKeys,
    verifyingKey: (kid) => verifying.get(kid),
    jwks: () => ({ keys: publics.map((key) => ({ ...key })) }),
  };
}

/**
 * A fresh configuration: one ES256 key with a random kid and one 32-byte secret. For the demo
 * and development; production installs keep theirs in configuration so tokens outlive restarts.
 *
 * @example
 * const config = await generateKeyRingConfig();
 * console.log(JSON.stringify(config)); // store it as the server's key configuration
 */
export async function generateKeyRingConfig(): Promise<KeyRingConfig> {
  const { privateKey } = await generateKeyPair("ES256", { extractable: true });
  const jwk = await exportJWK(privateKey);
  return {
    keys: [{ ...jwk, kid: randomId(), alg: "ES256" }],
    secrets: [toBase64Url(randomBytes(32))],
  };
}
