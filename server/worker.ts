/**
 * The edge entry: a module worker for Cloudflare Workers (workerd), built by
 * `npm run build:worker`. It runs the same Hono app as `server/node.ts`, with the store on Redis
 * through the Upstash REST protocol, mail over HTTP, the Graph API through `fetch`, and its
 * configuration from the worker's bindings (`server/worker/setup.ts`). Nothing here, or in what
 * it imports, is a Node built-in: the build fails if one is reached.
 *
 * The app is built for each request (and each email): on workerd one request's I/O (a Redis
 * subscription's stream, a timer) cannot serve another's, so nothing that holds I/O is shared.
 * What is shared is pure: the validated configuration and the imported keys. Live connections
 * each subscribe to just their conversation (a visitor) or site (an agent).
 */

import type { ExecutionContext } from "hono";
import { getConnInfo, upgradeWebSocket } from "hono/cloudflare-workers";
import { LinearRouter } from "hono/router/linear-router";
import { createApp } from "./app.ts";
import type { R2BucketLike } from "./attachments/r2.ts";
import type { AttachmentStorage } from "./attachments/storage.ts";
import { type KeyRing, loadKeyRing } from "./auth/keys.ts";
import { loggable, recipientRefusal } from "./channels/email/index.ts";
import { httpMailTransport, serverChannels } from "./channels/index.ts";
import { ConfigError } from "./config.ts";
import { sweepRetention } from "./core/retention.ts";
import { AppError, errorBody } from "./errors.ts";
import type { Limits } from "./http/rate-limit.ts";
import { createLogger, type Logger, requestScope } from "./log.ts";
import { redisStore } from "./store/redis.ts";
import { upstashDriver } from "./store/redis-upstash.ts";
import { assetRoutes } from "./worker/assets.ts";
import { edgeAttachmentStorage } from "./worker/attachments.ts";
import type { Fetcher, IncomingEmail, ScheduledController } from "./worker/runtime.ts";
import { type EdgeSetup, edgeSetup } from "./worker/setup.ts";

/**
 * The worker's bindings: text vars and secrets (see the README's Deploy section), and `ASSETS`.
 *
 * @example
 * const env: WorkerEnv = { PUBLIC_URL: "https://chat.example.com", OMNITHREAD_SITES: "{…}" };
 */
export type WorkerEnv = Record<string, unknown> & { ASSETS?: Fetcher };

/**
 * What a deployment may set in code rather than bindings (as `startServer` takes on Node).
 *
 * @example
 * const options: WorkerOptions = { limits: { startPerIp: { limit: 60, windowMs: 60_000 } } };
 */
export interface WorkerOptions {
  /** Rate limits, for tests that need them loose or tight. */
  limits?: Partial<Limits>;
  log?: Logger;
}

/** workerd tells a stream its client went only when a write fails: write (a comment) often. */
const EDGE_SSE_KEEPALIVE_MS = 5_000;

/** The validated setup and imported keys, per bindings object (one per isolate). */
const prepared = new WeakMap<object, Prepared>();

interface Prepared {
  setup: EdgeSetup;
  keyRing: KeyRing;
  attachments: AttachmentStorage | undefined;
}

async function prepare(env: WorkerEnv): Promise<Prepared> {
  const known = prepared.get(env);
  if (known) return known;
  // Settled values only are shared: a request never waits on another request's promise.
  const setup = edgeSetup(env);
  const ready = {
    setup,
    keyRing: await loadKeyRing(setup.keys),
    attachments: edgeAttachmentStorage(
      setup.config,
      env.ATTACHMENTS_BUCKET as R2BucketLike | undefined,
    ),
  };
  prepared.set(env, ready);
  return ready;
}

/**
 * One request's app (or one email's, one cron run's): its own store client, hub and presence
 * over the shared setup, and that event's `waitUntil` for work that ends after the answer.
 */
function build(env: WorkerEnv, ctx: ExecutionContext, ready: Prepared, options: WorkerOptions) {
  const { config, upstash } = ready.setup;
  // An app per request: the request's log fields can live in a variable of its own.
  const scope = requestScope();
  const log = options.log ?? createLogger({ level: config.logLevel, scope });
  const store = redisStore(upstashDriver(upstash), {
    onError: (error) => log.error("redis store", { error: String(error) }),
  });
  const { channels, email } = serverChannels(config, {
    // The edge setup refuses SMTP_URL, so the transport is always one over fetch.
    transport: httpMailTransport(config, log)!,
  });
  const built = createApp({
    config,
    store,
    keyRing: ready.keyRing,
    ...(ready.attachments ? { attachments: ready.attachments } : {}),
    upgradeWebSocket,
    connectionIp: (c) => getConnInfo(c).remote.address,
    log,
    logScope: scope,
    ...(options.limits ? { limits: options.limits } : {}),
    channels,
    // Each live connection subscribes for itself; a gone SSE client is noticed at the next
    // keepalive write, so it comes often: a subscription outlives its client by 5 s at most.
    live: { subscriptions: "connection", sseKeepaliveMs: EDGE_SSE_KEEPALIVE_MS },
    router: new LinearRouter(),
    waitUntil: (work) => ctx.waitUntil(work),
  });
  if (env.ASSETS) built.app.route("/", assetRoutes(env.ASSETS));
  return { ...built, email, log };
}

/** A broken configuration is logged with its reason and answered without it (secrets). */
function misconfigured(error: unknown, log: Logger): Response {
  if (!(error instanceof Error)) throw error;
  log.error(`configuration error: ${error.message}`, {
    kind: error instanceof ConfigError ? "variable" : "key ring",
  });
  return Response.json(
    errorBody("internal", "The server is not configured correctly; its log says why"),
    { status: 500 },
  );
}

/**
 * The module worker: `fetch` serves the HTTP API, live connections, webhooks and the built
 * assets; `email` receives the replies Email Routing delivers to the reply domain; `scheduled`
 * runs the callback queue's rules on a Cron Trigger. The default
 * export is `createWorker()`; a deployment that sets options in code exports its own.
 *
 * @example
 * // my-worker.ts, bundled instead of server/worker.ts:
 * export default createWorker({ limits: { startPerIp: { limit: 60, windowMs: 60_000 } } });
 */
export function createWorker(options: WorkerOptions = {}) {
  // Until the configuration is read (and when it cannot be), lines go out at the default level.
  const log = options.log ?? createLogger();
  const appFor = async (env: WorkerEnv, ctx: ExecutionContext) =>
    build(env, ctx, await prepare(env), options);
  return {
    async fetch(request: Request, env: WorkerEnv, ctx: ExecutionContext): Promise<Response> {
      let built: Awaited<ReturnType<typeof appFor>>;
      try {
        built = await appFor(env, ctx);
      } catch (error) {
        return misconfigured(error, log);
      }
      const response = await built.app.fetch(request, env, ctx);
      // What this request changed goes out now rather than at the next Cron run.
      if (
        request.method !== "GET" &&
        built.services.config.sites.some((site) => site.webhooks?.length)
      ) {
        ctx.waitUntil(
          built.services.webhooks
            .deliver()
            .catch((error: unknown) =>
              built.log.error("webhook delivery failed", { error: String(error) }),
            ),
        );
      }
      return response;
    },

    /**
     * An Email Worker: the same path as `POST /webhooks/email/raw` (parsed by the same code),
     * with the SMTP listener's manners: a recipient that is not a valid reply address of ours,
     * or a message that cannot be read, is refused to the sending server; a failure of ours
     * throws, so the delivery is not taken as done.
     */
    async email(message: IncomingEmail, env: WorkerEnv, ctx: ExecutionContext): Promise<void> {
      const { services, email, log } = await appFor(env, ctx);
      const verdict = await email.checkRecipient(services.port, message.to);
      if (!verdict.ok) {
        await message.setReject(recipientRefusal(verdict.reason));
        return;
      }
      const raw = new Uint8Array(await new Response(message.raw).arrayBuffer());
      try {
        const outcome = await email.receiveRaw(services.port, raw, {
          from: message.from,
          to: [message.to],
        });
        log.info("email received", { to: loggable(message.to), status: outcome.status });
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        await message.setReject(`5.6.0 Message not readable: ${error.message}`);
      }
    },

    /**
     * A Cron Trigger (every minute, see wrangler.toml): the callback queue's reminder and
     * missed rules, the webhooks that are due (retries included) and the retention sweep, which
     * the Node entry runs on intervals. Any instance may run them; each change is made once.
     */
    async scheduled(
      controller: ScheduledController,
      env: WorkerEnv,
      ctx: ExecutionContext,
    ): Promise<void> {
      const { services, log } = await appFor(env, ctx);
      const [swept, webhooks, erased] = await Promise.all([
        services.callbacks.sweep(),
        services.webhooks.deliver(),
        sweepRetention(services, services.config.sites, services.now()),
      ]);
      log.info("callback sweep", { cron: controller.cron, ...swept });
      log.info("retention sweep", { cron: controller.cron, ...erased });
      log.info("webhooks", { cron: controller.cron, ...webhooks });
    },
  };
}

export default createWorker();
