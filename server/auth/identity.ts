import { errors, jwtVerify } from "jose";
import { AppError } from "../errors.ts";
import { EMAIL } from "../schema/fields.ts";

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
const MAX_USER_ID_CHARS = 256;
const MAX_NAME_CHARS = 200;

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

  const { sub, email, name } = payload;
  if (typeof sub !== "string" || sub === "") {
    throw new AppError("unauthorized", "Identity proof needs a user id in sub");
  }
  if (sub.length > MAX_USER_ID_CHARS) throw new AppError("bad_request", "Identity sub is too long");
  const identity: VerifiedIdentity = { userId: sub };
  if (email !== undefined) {
    if (typeof email !== "string" || !EMAIL.test(email)) {
      throw new AppError("bad_request", "Identity email is not an email address");
    }
    identity.email = email;
  }
  if (name !== undefined) {
    if (typeof name !== "string" || name.length > MAX_NAME_CHARS) {
      throw new AppError(
        "bad_request",
        `Identity name must be a string of at most ${MAX_NAME_CHARS} characters`,
      );
    }
    identity.name = name;
  }
  return identity;
}
