import type { Context, MiddlewareHandler } from "hono";
import type { Agent } from "../../sdk/protocol.ts";
import type { Attachments } from "../attachments/service.ts";
import { API_KEY_PREFIX, type ApiKeyScope, apiKeyId, hashApiKey } from "../auth/api-keys.ts";
import type { HandleService } from "../auth/handles.ts";
import type { TokenService } from "../auth/tokens.ts";
import type { ChannelPort } from "../channels/port.ts";
import type { Channel, ExternalChannel } from "../channels/types.ts";
import type { Config, SiteConfig } from "../config.ts";
import type { Callbacks } from "../core/callbacks.ts";
import type { Presence } from "../core/presence.ts";
import type { Threads, VisitorClaim } from "../core/threads.ts";
import type { Webhooks } from "../core/webhooks.ts";
import { AppError } from "../errors.ts";
import type { Logger } from "../log.ts";
import type { Hub } from "../realtime/hub.ts";
import type { Store } from "../store/types.ts";
import { requireBearer } from "./bearer.ts";
import type { OriginPolicy } from "./origins.ts";
import type { Limits } from "./rate-limit.ts";

/** Everything route handlers use, built once by `createApp`. */
export interface Services {
  config: Config;
  store: Store;
  threads: Threads;
  callbacks: Callbacks;
  /** Files in conversations: taken, linked, opened, erased. */
  attachments: Attachments;
  presence: Presence;
  /** The outside channels this server runs, by name. */
  channels: Map<ExternalChannel, Channel>;
  /** What the channels are handed: the narrow part of these services they may use. */
  port: ChannelPort;
  /** Sends the sites' feeds to their webhook endpoints; the runtime decides when. */
  webhooks: Webhooks;
  tokens: TokenService;
  handles: HandleService;
  hub: Hub;
  origins: OriginPolicy;
  limits: Limits;
  log: Logger;
  now: () => number;
  /**
   * Work that may finish after the response (a confirmation mail, a Send API call): the runtime
   * is asked to wait for it where it would otherwise stop (workerd's `waitUntil`). The caller
   * handles its errors.
   */
  defer(work: Promise<unknown>): void;
  /** The caller's address for per-IP limits ("unknown" when the runtime cannot tell). */
  clientIp: (c: Context) => string;
  site(id: string): SiteConfig;
}

/**
 * Authenticates a visitor call: a valid conversation token, from an origin its site allows.
 *
 * @example
 * const { claim, site } = await requireVisitor(services, c);
 */
export async function requireVisitor(
  s: Services,
  c: Context,
): Promise<{ claim: VisitorClaim; site: SiteConfig }> {
  const token = requireBearer(c, "visitor");
  const claim = await s.tokens.verifyConversationToken(token);
  const site = s.site(claim.siteId);
  s.origins.check(c.req.header("origin"), site);
  return { claim, site };
}

declare module "hono" {
  interface ContextVariableMap {
    /** The id of the API key the request came with: the access line names it, never the key. */
    apiKey?: string;
  }
}

/**
 * A server calling with one of a site's API keys: no browser (an `Origin` is refused, so a key
 * pasted into a page works nowhere), a key whose hash the site's `apiKeys` holds, with `scope`.
 * It acts as the site's agent named after the key; it never reaches another site's data, since
 * everything an agent does is bound to its `siteId`.
 */
async function keyHolder(
  s: Services,
  token: string,
  origin: string | undefined,
  scope: ApiKeyScope,
): Promise<Agent & { apiKey: string }> {
  if (origin !== undefined) {
    throw new AppError(
      "origin_not_allowed",
      "API keys are for servers: a call from a browser page (with an Origin) is refused",
    );
  }
  const id = apiKeyId(token);
  const [site, entry] =
    s.config.sites
      .map((x) => [x, x.apiKeys?.find((key) => key.id === id)] as const)
      .find(([, key]) => key !== undefined) ?? [];
  // Hashes compared: the key's own bytes are never compared, so timing tells nothing of them.
  if (!site || !entry || entry.hash !== (await hashApiKey(token))) {
    throw new AppError("unauthorized", "Unknown or revoked API key");
  }
  // `agent` opens every /v1/agent/* route; a narrower scope its own.
  if (!entry.scopes.includes(scope) && !entry.scopes.includes("agent")) {
    throw new AppError("forbidden", `The API key "${entry.id}" lacks the "${scope}" scope`);
  }
  return {
    email: `api-key:${entry.id}`,
    name: `API key ${entry.id}`,
    siteId: site.id,
    apiKey: entry.id,
  };
}

/**
 * Who calls as an agent: an agent token from the console's own origin, or a site's API key with
 * the `agent` scope from a server (no Origin). Used by the agent routes and the agent socket.
 *
 * @example
 * const agent = await authenticateAgent(services, token, c.req.header("origin"));
 */
export async function authenticateAgent(
  s: Services,
  token: string,
  origin: string | undefined,
  scope: ApiKeyScope = "agent",
): Promise<Agent & { apiKey?: string }> {
  if (token.startsWith(API_KEY_PREFIX)) return keyHolder(s, token, origin, scope);
  const agent = await s.tokens.verifyAgentToken(token);
  s.origins.checkOwn(origin);
  return agent;
}

/**
 * Authenticates an agent call (see {@link authenticateAgent}); an API key needs `scope`, and its
 * id goes to the log.
 */
export async function requireAgent(
  s: Services,
  c: Context,
  scope: ApiKeyScope = "agent",
): Promise<Agent> {
  const { apiKey, ...agent } = await authenticateAgent(
    s,
    requireBearer(c, "agent"),
    c.req.header("origin"),
    scope,
  );
  if (apiKey) c.set("apiKey", apiKey);
  return agent;
}

/** What {@link agentOnly} leaves for the handler: `c.var.agent`. */
export type AgentEnv = { Variables: { agent: Agent } };

/**
 * {@link requireAgent} as a middleware, put before `route()`: a caller without a valid agent
 * token is told 401 before anything about its body or query.
 *
 * @example
 * routes.get("/agents", agentOnly(s), route({ … }), (c) => c.json(c.var.agent));
 */
export function agentOnly(s: Services, scope: ApiKeyScope = "agent"): MiddlewareHandler<AgentEnv> {
  return async (c, next) => {
    c.set("agent", await requireAgent(s, c, scope));
    await next();
  };
}

/**
 * The channel a visitor call needs, if the site has set it up; else 400 `channel_not_configured`.
 *
 * @example
 * const channel = offeredChannel(services, site, "callback");
 */
export function offeredChannel(s: Services, site: SiteConfig, name: ExternalChannel): Channel {
  const channel = s.channels.get(name);
  if (!channel?.configured(site)) {
    throw new AppError(
      "channel_not_configured",
      `The ${name} channel is not configured for site "${site.id}"`,
    );
  }
  return channel;
}
