import { errors, jwtVerify } from "jose";
import * as v from "valibot";
import { AppError } from "../errors.ts";
import { parseWith } from "../schema/check.ts";
import { email, upTo } from "../schema/fields.ts";

/**
 * A site user as proven by the site's own backend.
 *
 * @example
 * const identity: VerifiedIdentity = { userId: "user-42", email: "ada@example.com", name: "Ada" };
 */
export interface VerifiedIdentity {
  userId: string;
  email?: string;
  name?: string;
}

/**
 * Options of {@link verifySiteIdentity}.
 *
 * @example
 * const options: IdentityOptions = { maxAgeSeconds: 3600 };
 */
export interface IdentityOptions {
  /** Milliseconds since the epoch; injected by tests. */
  now?: () => number;
  /** Proofs issued longer ago are stale and refused; default 24 hours. */
  maxAgeSeconds?: number;
}

const MAX_TOKEN_CHARS = 4096;

/** The claims omnithread reads from a verified proof (others are the site's business). */
const IdentityClaims = v.object({
  sub: v.pipe(v.string(), v.maxLength(256, "must be a user id of at most 256 characters")),
  email: v.optional(email),
  name: v.optional(upTo(200)),
});

const refuse = (message: string): never => {
  throw new AppError("bad_request", `Identity proof: ${message}`);
};

/**
 * Checks an identity proof a site's backend signed for `identify()` (docs/architecture.md §3): an
 * HS256 JWT signed with the site's identity secret (its UTF-8 bytes) carrying `sub`, `iat` and
 * optionally `exp`, `email`, `name`. Only HS256 is accepted. A refused proof (empty, forged,
 * another site's, expired or stale, or a site without a secret) throws `AppError("unauthorized")`;
 * an authentic proof whose `email` or `name` is malformed throws `AppError("bad_request")`, so the
 * site's developer sees what to fix.
 *
 * @example
 * const { userId, email } = await verifySiteIdentity(jwt, { id: "demo", identitySecret: "s3cret…" });
 */
export async function verifySiteIdentity(
  jwt: string,
  site: { id: string; identitySecret?: string },
  options: IdentityOptions = {},
): Promise<VerifiedIdentity> {
  const now = options.now ?? Date.now;
  if (!site.identitySecret) {
    throw new AppError("unauthorized", "This site does not accept identity proofs");
  }
  if (typeof jwt !== "string" || jwt === "")
    throw new AppError("unauthorized", "Missing identity proof");
  if (jwt.length > MAX_TOKEN_CHARS) throw new AppError("unauthorized", "Identity proof too long");

  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(jwt, new TextEncoder().encode(site.identitySecret), {
      algorithms: ["HS256"],
      requiredClaims: ["sub", "iat"],
      maxTokenAge: options.maxAgeSeconds ?? 24 * 3600,
      currentDate: new Date(now()),
    }));
  } catch (error) {
    // Stale (`iat` too old) surfaces from jose as JWTExpired too.
    if (error instanceof errors.JWTExpired) {
      throw new AppError("unauthorized", "Identity proof expired");
    }
    if (error instanceof errors.JWSSignatureVerificationFailed) {
      throw new AppError("unauthorized", "Identity proof not signed with this site's secret");
    }
    if (error instanceof errors.JOSEAlgNotAllowed) {
      throw new AppError("unauthorized", "Identity proof must be signed with HS256");
    }
    throw new AppError("unauthorized", "Invalid identity proof");
  }

  if (typeof payload.sub !== "string" || payload.sub === "") {
    throw new AppError("unauthorized", "Identity proof needs a user id in sub");
  }
  const { sub, email, name } = parseWith(IdentityClaims, payload, refuse, "The identity proof");
  const identity: VerifiedIdentity = { userId: sub };
  if (email !== undefined) identity.email = email;
  if (name !== undefined) identity.name = name;
  return identity;
}
