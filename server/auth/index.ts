/**
 * Tokens, handles, identity proofs and password hashes (docs/architecture.md §3), on Web APIs only.
 */
export { decodeBase32, encodeBase32, randomId } from "./base32.ts";
export { equalBytes, fromBase64Url, randomBytes, toBase64Url } from "./bytes.ts";
export type { HandleClaims, HandleService } from "./handles.ts";
export { createHandleService } from "./handles.ts";
export type { IdentityOptions, VerifiedIdentity } from "./identity.ts";
export { verifySiteIdentity } from "./identity.ts";
export type {
  KeyConfig,
  KeyRing,
  KeyRingConfig,
  PublicJWK,
  SigningAlgorithm,
  SigningKey,
  VerifyingKey,
} from "./keys.ts";
export { generateKeyRingConfig, loadKeyRing } from "./keys.ts";
export { hashPassword, verifyPassword } from "./passwords.ts";
export type {
  AgentClaims,
  ConversationClaims,
  SignedToken,
  TokenService,
  TokenServiceOptions,
} from "./tokens.ts";
export { createTokenService } from "./tokens.ts";
