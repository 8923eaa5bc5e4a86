/**
 * The operation routes' answers (`/health`, `/ready`, `/.well-known/jwks.json`) and their
 * contracts: what a load balancer, an orchestrator and a token verifier rely on.
 */
import * as v from "valibot";
import type { PublicJWK } from "../auth/keys.ts";
import type { Assert, Same } from "./frames.ts";
import { route } from "./route.ts";

const Health = v.object({ status: v.literal("ok") });
const Ready = v.object({ status: v.literal("ready") });

/** A public key as RFC 7517 writes it: what a verifier of conversation and agent tokens needs. */
const PublicKey = v.object({
  kty: v.picklist(["EC", "OKP"]),
  crv: v.string(),
  x: v.string(),
  y: v.optional(v.string()),
  kid: v.string(),
  alg: v.picklist(["ES256", "EdDSA"]),
  use: v.literal("sig"),
});

export const OPERATION_ROUTES = {
  health: route({
    summary: "Liveness: the process answers",
    tag: "operation",
    auth: "none",
    responses: { 200: { description: "Alive", schema: Health } },
  }),
  ready: route({
    summary: "Readiness: the store answers within 1 s",
    description: "503 `store_unavailable` while it does not: take the instance out of rotation.",
    tag: "operation",
    auth: "none",
    responses: { 200: { description: "Ready to serve", schema: Ready } },
  }),
  jwks: route({
    summary: "The public keys that verify omnithread's tokens (JWKS)",
    description: "Retired keys stay listed while tokens they signed may still be valid.",
    tag: "operation",
    auth: "none",
    responses: {
      200: { description: "The key set", schema: v.object({ keys: v.array(PublicKey) }) },
    },
  }),
};

// The key set's schema says what the key ring gives (a drift fails `npm run typecheck`).
type _PublicKey = Assert<Same<v.InferOutput<typeof PublicKey>, PublicJWK>>;
