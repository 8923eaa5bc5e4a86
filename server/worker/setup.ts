/**
 * The edge entry's configuration: the same variables as on Node (`server/config.ts`), read from
 * the worker's bindings (vars and secrets), plus what the edge cannot do without. There is no
 * filesystem, so the sites and the key ring come as JSON text, and no TCP or SMTP, so the store
 * is Upstash and mail goes over HTTP.
 */
import type { KeyRingConfig } from "../auth/keys.ts";
import { type Config, ConfigError, type Env, loadConfig } from "../config.ts";

/**
 * A configuration the edge can run.
 *
 * @example
 * const { config, upstash, keys }: EdgeSetup = edgeSetup(env);
 */
export interface EdgeSetup {
  config: Config;
  /** The Upstash REST endpoint the store talks to. */
  upstash: { url: string; token: string };
  keys: KeyRingConfig;
}

function fail(message: string): never {
  throw new ConfigError(message);
}

const set = (value: string | undefined): value is string =>
  value !== undefined && value.trim() !== "";

/** Bindings that are text (vars, secrets); the rest (ASSETS, KV …) are not configuration. */
function textBindings(bindings: Record<string, unknown>): Env {
  const env: Env = {};
  for (const [name, value] of Object.entries(bindings)) {
    if (typeof value === "string") env[name] = value;
  }
  return env;
}

/** Parses a JSON secret without echoing any of it: a parse error message quotes the text. */
function jsonSecret(name: string, value: string | undefined, shape: string): unknown {
  if (!set(value)) fail(`${name} must be set: ${shape} (there is no filesystem on the edge)`);
  try {
    return JSON.parse(value);
  } catch {
    return fail(`${name} is not valid JSON: it must be ${shape}`);
  }
}

/**
 * Validates the worker's bindings into a configuration, with messages that name the variable
 * (as the Node entry does at start). Throws {@link ConfigError}.
 *
 * @example
 * const { config, upstash, keys } = edgeSetup(env); // env: the worker's bindings
 */
export function edgeSetup(bindings: Record<string, unknown>): EdgeSetup {
  const env = textBindings(bindings);
  if (!set(env.PUBLIC_URL)) {
    fail("PUBLIC_URL must be set on the edge: it is the token issuer and the resume links' base");
  }
  if (set(env.OMNITHREAD_STORE) && env.OMNITHREAD_STORE !== "redis") {
    fail(
      `OMNITHREAD_STORE must be "redis" on the edge (the memory store would live in one isolate), got "${env.OMNITHREAD_STORE}"`,
    );
  }
  if (!set(env.UPSTASH_REDIS_REST_URL) || !set(env.UPSTASH_REDIS_REST_TOKEN)) {
    fail(
      set(env.REDIS_URL)
        ? "REDIS_URL is Redis over TCP (Node only): on the edge set UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN"
        : "UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN must be set on the edge: the store is Redis through the Upstash REST protocol",
    );
  }
  if (set(env.SMTP_URL)) {
    fail("SMTP_URL needs Node: on the edge send mail with POSTMARK_SERVER_TOKEN (HTTP)");
  }
  if (set(env.SMTP_LISTEN_PORT)) {
    fail(
      "SMTP_LISTEN_PORT needs Node: on the edge mail arrives through the worker's email handler (Email Routing)",
    );
  }
  if (!set(env.OMNITHREAD_SITES) || !env.OMNITHREAD_SITES.trim().startsWith("{")) {
    fail(
      "OMNITHREAD_SITES must be the sites file's JSON text on the edge (there is no filesystem for a path)",
    );
  }
  const keys = jsonSecret(
    "OMNITHREAD_KEYS",
    env.OMNITHREAD_KEYS,
    'the key ring from "npm run keys"',
  ) as KeyRingConfig;
  if (!Array.isArray(keys?.keys) || !Array.isArray(keys?.secrets)) {
    fail('OMNITHREAD_KEYS must be a key ring { "keys": [...], "secrets": [...] } (npm run keys)');
  }
  const config = loadConfig({ ...env, OMNITHREAD_STORE: "redis" }, env.OMNITHREAD_SITES);
  if (!("upstash" in config.store)) throw new TypeError("the edge store is always Upstash");
  return { config, upstash: config.store.upstash, keys };
}
