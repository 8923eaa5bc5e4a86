import type { Context } from "hono";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import type { HonoOptions } from "hono/hono-base";
import { HTTPException } from "hono/http-exception";
import { requestId } from "hono/request-id";
import type { BlankEnv } from "hono/types";
import type { UpgradeWebSocket } from "hono/ws";
import { LIMITS } from "../sdk/protocol.ts";
import { createAttachments } from "./attachments/service.ts";
import type { AttachmentStorage } from "./attachments/storage.ts";
import { randomId } from "./auth/base32.ts";
import { createHandleService } from "./auth/handles.ts";
import type { KeyRing } from "./auth/keys.ts";
import { createTokenService } from "./auth/tokens.ts";
import { channelPort } from "./channels/port.ts";
import type { Channel } from "./channels/types.ts";
import type { Config, SiteConfig } from "./config.ts";
import { createCallbacks } from "./core/callbacks.ts";
import { createPresence } from "./core/presence.ts";
import { createThreads } from "./core/threads.ts";
import { createWebhooks, type WebhookOptions } from "./core/webhooks.ts";
import { AppError, errorBody } from "./errors.ts";
import { agentRoutes } from "./http/agent.ts";
import { attachmentRoutes, UPLOAD_PATHS } from "./http/attachments.ts";
import { closeUnreadBodies } from "./http/body.ts";
import { agentCallbackRoutes, visitorCallbackRoutes } from "./http/callbacks.ts";
import { contactRoutes } from "./http/contacts.ts";
import { docsRoutes } from "./http/docs.ts";
import { feedRoutes } from "./http/feed.ts";
import { type LiveOptions, liveRoutes } from "./http/live.ts";
import { createOriginPolicy } from "./http/origins.ts";
import { DEFAULT_LIMITS, enforceLimit, type Limits } from "./http/rate-limit.ts";
import { resumeRoutes } from "./http/resume.ts";
import type { Services } from "./http/services.ts";
import { visitorRoutes } from "./http/visitor.ts";
import { createLogger, type Logger, type LogScope } from "./log.ts";
import { createHub } from "./realtime/hub.ts";
import { OPERATION_ROUTES } from "./schema/operation.ts";
import type { Store } from "./store/types.ts";

/** How long `GET /ready` waits for the store before telling the load balancer to look elsewhere. */
const READY_TIMEOUT_MS = 1000;

/** Whether `work` settles successfully within `ms`; a late or failed answer is a no. */
async function answersWithin(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<boolean>((done) => {
    timer = setTimeout(() => done(false), ms);
  });
  try {
    return await Promise.race([work.then(() => true), late]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

/** Every API body but an upload's (which is read up to its site's file size). */
const apiBodyLimit = bodyLimit({
  maxSize: LIMITS.bodyBytes,
  onError: (c) =>
    c.json(errorBody("payload_too_large", `Bodies are limited to ${LIMITS.bodyBytes} bytes`), 413),
});

/** The parts an entry point injects: runtime-specific pieces stay out of the app itself. */
export interface AppDeps {
  config: Config;
  store: Store;
  keyRing: KeyRing;
  /** The runtime's WebSocket upgrade (Node: @hono/node-server; workerd: hono/cloudflare-workers). */
  upgradeWebSocket?: UpgradeWebSocket;
  /** The caller's IP as the runtime sees the connection. */
  connectionIp?: (c: Context) => string | undefined;
  log?: Logger;
  /** Where the request id lives while a request is served, so every line logged then names it. */
  logScope?: LogScope;
  now?: () => number;
  limits?: Partial<Limits>;
  /**
   * Where attachments' bytes are kept (`nodeAttachmentStorage`, `edgeAttachmentStorage`, or
   * `memoryStorage()` in tests). Without one, uploads are refused with `attachments_not_configured`.
   */
  attachments?: AttachmentStorage;
  /** Outside channels (Messenger, email, callback …); each is offered where a site configures it. */
  channels?: Channel[];
  /** How live delivery fits the runtime; the defaults suit a long-lived process (Node). */
  live?: LiveOptions;
  /**
   * Keeps the runtime up for work that ends after the response (workerd's `ctx.waitUntil`, for
   * an app built per request); without it that work simply runs on (Node).
   */
  waitUntil?: (work: Promise<unknown>) => void;
  /**
   * Hono's router. The default compiles its routes on the first request: right for an app built
   * once. An entry that builds an app per request (the edge worker) passes `LinearRouter`, which
   * has no compile step.
   */
  router?: HonoOptions<BlankEnv>["router"];
  /** How webhooks are sent (timeout, retry waits, fetch); the defaults are docs/architecture.md §11's. */
  webhooks?: Partial<WebhookOptions>;
}

/**
 * Builds the omnithread Hono app from injected parts. Runs on any runtime with Web APIs.
 *
 * @example
 * const { app } = createApp({ config, store: memoryStore(), keyRing });
 * const res = await app.request("/health");
 */
export function createApp(deps: AppDeps) {
  const { config, store } = deps;
  const now = deps.now ?? Date.now;
  const log = deps.log ?? createLogger();
  const sites = new Map<string, SiteConfig>(config.sites.map((site) => [site.id, site]));
  const port = new URL(config.publicUrl).port;
  const ownOrigins = [new URL(config.publicUrl).origin];
  if (port) ownOrigins.push(`http://localhost:${port}`, `http://127.0.0.1:${port}`);

  const site = (id: string): SiteConfig => {
    const found = sites.get(id);
    if (!found) throw new AppError("not_found", `No site "${id}"`);
    return found;
  };
  const threads = createThreads({ store, site, now, newId: () => randomId() });
  const channels = new Map((deps.channels ?? []).map((channel) => [channel.name, channel]));
  const callbacks = createCallbacks({
    store,
    threads,
    site,
    siteIds: () => [...sites.keys()],
    now,
    newId: () => randomId(),
    // Channels tell the visitor where they can (a confirmation by email).
    changed: (callback, conversation) => {
      for (const channel of channels.values()) {
        if (channel.configured(site(callback.siteId)))
          channel.callbackChanged?.(services.port, conversation, callback);
      }
    },
    due: (callback, conversation) => {
      for (const channel of channels.values()) {
        if (channel.configured(site(callback.siteId)))
          channel.callbackDue?.(services.port, conversation, callback);
      }
    },
  });
  const handles = createHandleService(deps.keyRing, { now });
  const limits = { ...DEFAULT_LIMITS, ...deps.limits };
  const defer = (work: Promise<unknown>) => deps.waitUntil?.(work);
  const attachments = createAttachments({
    store,
    storage: deps.attachments,
    keyRing: deps.keyRing,
    publicUrl: config.publicUrl,
    now,
  });
  const services: Services = {
    config,
    store,
    threads,
    callbacks,
    attachments,
    port: channelPort({
      publicUrl: config.publicUrl,
      sites: config.sites,
      site,
      store,
      threads,
      handles,
      callbacks,
      attachments,
      limits,
      log,
      now,
      defer,
    }),
    // An agent coming online picks up the conversations that waited for someone.
    presence: createPresence({
      store,
      now,
      onOnline: (siteId) => void threads.routeWaiting(siteId).catch(() => undefined),
    }),
    tokens: createTokenService(deps.keyRing, { issuer: config.publicUrl, now }),
    handles,
    hub: createHub(store, { subscriptions: deps.live?.subscriptions ?? "instance" }),
    origins: createOriginPolicy(config.sites, ownOrigins),
    limits,
    channels,
    webhooks: createWebhooks({ ...deps.webhooks, store, sites: config.sites, now, log }),
    log,
    now,
    defer,
    clientIp(c) {
      // The proxy appends the address it saw; anything before it is the client's own say-so.
      const forwarded = config.trustProxy
        ? c.req.header("x-forwarded-for")?.split(",").at(-1)?.trim()
        : undefined;
      return forwarded || deps.connectionIp?.(c) || "unknown";
    },
    site,
  };

  const app = new Hono(deps.router ? { router: deps.router } : {});

  // A request id on every line logged while the request is served (`X-Request-Id`, kept when the
  // caller's proxy sent one), and one access line per request: the path only, never the query.
  app.use(requestId(), async (c, next) => {
    const started = performance.now();
    const work = () => next();
    await (deps.logScope ? deps.logScope.run({ requestId: c.get("requestId") }, work) : work());
    log.info("request", {
      requestId: c.get("requestId"),
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      ms: Math.round((performance.now() - started) * 10) / 10,
      ...(c.var.apiKey ? { apiKey: c.var.apiKey } : {}),
    });
  });

  // A body refused unread (a 413, a 401 or 415 before reading) ends its connection, and says so.
  app.use(closeUnreadBodies);

  app.onError((error, c) => {
    if (error instanceof AppError) {
      if (error.retryAfter) c.header("Retry-After", String(error.retryAfter));
      return c.json(error.toJSON(), error.status as 400);
    }
    if (error instanceof HTTPException && error.status < 500) {
      return c.json(errorBody("bad_request", error.message || "Bad request"), error.status);
    }
    log.error("request failed", {
      requestId: c.get("requestId"),
      path: c.req.path,
      error: String(error),
      stack: (error as Error).stack,
    });
    return c.json(errorBody("internal", "Something went wrong on the server"), 500);
  });
  app.notFound((c) =>
    c.json(errorBody("not_found", `No route for ${c.req.method} ${c.req.path}`), 404),
  );

  app.use(
    "/v1/*",
    cors({
      origin: (origin) => (services.origins.allowedSomewhere(origin) ? origin : null),
      allowMethods: ["GET", "POST", "PATCH", "OPTIONS"],
      allowHeaders: ["Authorization", "Content-Type", "Last-Event-ID", "X-Filename"],
      maxAge: 600,
    }),
    (c, next) => (UPLOAD_PATHS.has(c.req.path) ? next() : apiBodyLimit(c, next)),
  );

  // Every API call, live connections included, counts against its IP: one address cannot flood it.
  app.use("/v1/*", async (c, next) => {
    await enforceLimit(store, "ip", services.clientIp(c), services.limits.requestsPerIp);
    await next();
  });

  // Liveness: the process answers. Readiness: it can serve, because its store answers in time.
  app.get("/health", OPERATION_ROUTES.health, (c) => c.json({ status: "ok" }));
  app.get("/ready", OPERATION_ROUTES.ready, async (c) => {
    c.header("Cache-Control", "no-store");
    if (await answersWithin(store.ping(), READY_TIMEOUT_MS)) return c.json({ status: "ready" });
    return c.json(errorBody("store_unavailable", "The store did not answer within 1 s"), 503);
  });
  app.get("/.well-known/jwks.json", OPERATION_ROUTES.jwks, (c) => {
    c.header("Cache-Control", "public, max-age=300");
    return c.json(deps.keyRing.jwks());
  });

  const live = liveRoutes(services, deps.upgradeWebSocket, deps.live);
  app.route("/v1", live.routes);
  app.route("/v1/agent", agentRoutes(services));
  app.route("/v1/agent", agentCallbackRoutes(services));
  app.route("/v1/agent", contactRoutes(services));
  app.route("/v1/agent", feedRoutes(services));
  app.route("/v1", visitorRoutes(services));
  const files = attachmentRoutes(services);
  app.route("/v1", files.visitor);
  app.route("/v1/agent", files.agent);
  app.route("/v1", visitorCallbackRoutes(services));
  app.route("/", resumeRoutes(services));
  for (const channel of services.channels.values()) {
    const webhooks = channel.webhooks?.(services.port);
    if (webhooks) app.route(`/webhooks/${channel.name}`, webhooks);
  }

  // Made from the routes when first asked for, so routes an entry mounts later are in it too.
  app.route("/", docsRoutes(app, config.publicUrl));

  return {
    app,
    services,
    /** Live sockets, for graceful shutdown. */
    sockets: live.sockets,
  };
}

export type OmnithreadApp = ReturnType<typeof createApp>;
