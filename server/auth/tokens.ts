import { errors, type JWTPayload, jwtVerify, SignJWT } from "jose";
import { AppError } from "../errors.ts";
import type { KeyRing, VerifyingKey } from "./keys.ts";

const VISITOR_AUDIENCE = "omnithread";
const AGENT_AUDIENCE = "omnithread-agent";
const ALGORITHMS = ["ES256", "EdDSA"];
/** Far above any token we sign; refuses oversized input before any parsing or crypto. */
const MAX_TOKEN_CHARS = 4096;

/**
 * Options of {@link createTokenService}.
 *
 * @example
 * const options: TokenServiceOptions = { issuer: "https://chat.example.com", agentTtlSeconds: 8 * 3600 };
 */
export interface TokenServiceOptions {
  /** The `iss` of every token, usually the server's public URL. */
  issuer: string;
  /** Lifetime of conversation tokens; default 30 days. */
  visitorTtlSeconds?: number;
  /** Lifetime of agent tokens; default 12 hours. */
  agentTtlSeconds?: number;
  /** Milliseconds since the epoch; injected by tests. */
  now?: () => number;
}

/**
 * A signed token and when it stops working (ISO 8601).
 *
 * @example
 * const signed: SignedToken = { token: "eyJ…", expiresAt: "2030-01-31T00:00:00.000Z" };
 */
export interface SignedToken {
  token: string;
  expiresAt: string;
}

/**
 * What a conversation token grants: one contact's access to one conversation of one site.
 *
 * @example
 * const claims: ConversationClaims = { contactId, conversationId, siteId: "demo" };
 */
export interface ConversationClaims {
  contactId: string;
  conversationId: string;
  siteId: string;
}

/**
 * An agent's identity as carried by an agent token.
 *
 * @example
 * const agent: AgentClaims = { email: "agent@example.com", name: "Alex", siteId: "demo" };
 */
export interface AgentClaims {
  email: string;
  name: string;
  siteId: string;
}

/**
 * Signs and verifies conversation tokens and agent tokens (docs/architecture.md §3).
 *
 * @example
 * const tokens = createTokenService(await loadKeyRing(config), { issuer: "https://chat.example.com" });
 */
export interface TokenService {
  /**
   * @example
   * const { token, expiresAt } = await tokens.signConversationToken({ contactId, conversationId, siteId: "demo" });
   */
  signConversationToken(claims: ConversationClaims): Promise<SignedToken>;
  /**
   * Throws `AppError`: `token_expired` for an authentic but expired token, `wrong_site` when it
   * belongs to another site than `expectedSiteId`, `unauthorized` for anything else.
   * `expiresAt` is in unix seconds.
   *
   * @example
   * const { conversationId } = await tokens.verifyConversationToken(bearer, "demo");
   */
  verifyConversationToken(
    token: string,
    expectedSiteId?: string,
  ): Promise<ConversationClaims & { expiresAt: number }>;
  /**
   * @example
   * const { token } = await tokens.signAgentToken({ email: "agent@example.com", name: "Alex", siteId: "demo" });
   */
  signAgentToken(claims: AgentClaims): Promise<SignedToken>;
  /**
   * Throws `AppError` like {@link TokenService.verifyConversationToken}; a visitor token is refused.
   *
   * @example
   * const agent = await tokens.verifyAgentToken(bearer);
   */
  verifyAgentToken(token: string): Promise<AgentClaims>;
}

/**
 * Creates the {@link TokenService} over a key ring.
 *
 * @example
 * const tokens = createTokenService(ring, { issuer: "https://chat.example.com", now: () => fixedMs });
 */
export function createTokenService(ring: KeyRing, options: TokenServiceOptions): TokenService {
  const { issuer } = options;
  const visitorTtl = options.visitorTtlSeconds ?? 30 * 24 * 3600;
  const agentTtl = options.agentTtlSeconds ?? 12 * 3600;
  const now = options.now ?? Date.now;

  async function sign(
    audience: string,
    subject: string,
    claims: Record<string, string>,
    ttl: number,
  ): Promise<SignedToken> {
    const iat = Math.floor(now() / 1000);
    const exp = iat + ttl;
    const { kid, alg, privateKey } = ring.signingKey;
    const token = await new SignJWT(claims)
      .setProtectedHeader({ alg, kid, typ: "JWT" })
      .setIssuer(issuer)
      .setAudience(audience)
      .setSubject(subject)
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .sign(privateKey);
    return { token, expiresAt: new Date(exp * 1000).toISOString() };
  }

  async function verify(token: string, audience: string, required: string[]): Promise<JWTPayload> {
    if (typeof token !== "string" || token === "") {
      throw new AppError("unauthorized", "Missing token");
    }
    if (token.length > MAX_TOKEN_CHARS) throw new AppError("unauthorized", "Token too long");
    let used: VerifyingKey | undefined;
    try {
      const { payload } = await jwtVerify(
        token,
        (header) => {
          const key = header.kid === undefined ? undefined : ring.verifyingKey(header.kid);
          if (!key) throw new AppError("unauthorized", "Token signed by an unknown key");
          // Pinning the alg to the key's own stops a token from choosing how it is checked.
          if (header.alg !== key.alg)
            throw new AppError("unauthorized", "Token algorithm not allowed");
          used = key;
          return key.publicKey;
        },
        {
          algorithms: ALGORITHMS,
          issuer,
          audience,
          typ: "JWT",
          // The audience-specific claims are checked below, so a token for the other audience
          // is refused as such rather than for a missing claim.
          requiredClaims: ["iat", "exp", "sub"],
          currentDate: new Date(now()),
        },
      );
      // Rotation: a retired key's signature only counts for tokens issued before retirement.
      const iat = payload.iat ?? 0;
      if (used?.retiredAt !== undefined && iat >= used.retiredAt) {
        throw new AppError("unauthorized", "Token signed by a retired key");
      }
      for (const claim of ["sub", ...required]) {
        const value = payload[claim];
        if (typeof value !== "string" || value === "") {
          throw new AppError("unauthorized", `Token claim ${claim} is invalid`);
        }
      }
      return payload;
    } catch (error) {
      throw refusal(error);
    }
  }

  return {
    signConversationToken: ({ contactId, conversationId, siteId }) => {
      requireText({ contactId, conversationId, siteId });
      return sign(VISITOR_AUDIENCE, contactId, { cid: conversationId, site: siteId }, visitorTtl);
    },
    signAgentToken: ({ email, name, siteId }) => {
      requireText({ email, name, siteId });
      return sign(AGENT_AUDIENCE, email, { name, site: siteId }, agentTtl);
    },
    async verifyConversationToken(token, expectedSiteId) {
      const payload = await verify(token, VISITOR_AUDIENCE, ["cid", "site"]);
      const siteId = payload.site as string;
      if (expectedSiteId !== undefined && siteId !== expectedSiteId) {
        throw new AppError("wrong_site", "Token belongs to another site");
      }
      return {
        contactId: payload.sub as string,
        conversationId: payload.cid as string,
        siteId,
        expiresAt: payload.exp as number,
      };
    },
    async verifyAgentToken(token) {
      const payload = await verify(token, AGENT_AUDIENCE, ["name", "site"]);
      return {
        email: payload.sub as string,
        name: payload.name as string,
        siteId: payload.site as string,
      };
    },
  };
}

/** Turns any verification failure into a short `AppError` that never echoes token contents. */
function refusal(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof errors.JWTExpired) return new AppError("token_expired", "Token expired");
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === "aud")
      return new AppError("unauthorized", "Token is not for this audience");
    if (error.claim === "iss") return new AppError("unauthorized", "Token from another issuer");
    return new AppError("unauthorized", `Token claim ${error.claim} is invalid`);
  }
  if (error instanceof errors.JOSEAlgNotAllowed) {
    return new AppError("unauthorized", "Token algorithm not allowed");
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return new AppError("unauthorized", "Token signature invalid");
  }
  return new AppError("unauthorized", "Malformed token");
}

/** Signing with an empty claim is a caller's bug, not a request to refuse. */
function requireText(values: Record<string, string>): void {
  for (const [name, value] of Object.entries(values)) {
    if (typeof value !== "string" || value === "")
      throw new TypeError(`${name} must be a non-empty string`);
  }
}
