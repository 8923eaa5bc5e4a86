/**
 * The Node entry: the one place that picks `ws`, TCP Redis and the filesystem. Everything it
 * wires together runs on Web APIs and could run on an edge runtime instead.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { type AddressInfo, createServer } from "node:net";
import { dirname, join, resolve } from "node:path";
import { type ServerType, serve } from "@hono/node-server";
import { getConnInfo } from "@hono/node-server/conninfo";
import { type WebSocket, WebSocketServer } from "ws";
import { CLOSE_SERVICE_RESTART, LIMITS } from "../sdk/protocol.ts";
import { type AppDeps, createApp, type OmnithreadApp } from "./app.ts";
import { generateKeyRingConfig, type KeyRingConfig, loadKeyRing } from "./auth/keys.ts";
import type { EmailChannel, MailTransport } from "./channels/email/index.ts";
import { httpMailTransport, serverChannels } from "./channels/index.ts";
import { type Config, ConfigError, type Env, loadConfig } from "./config.ts";
import { sweepRetention } from "./core/retention.ts";
import type { Limits } from "./http/rate-limit.ts";
import { createLogger, type Logger, type LogLevel } from "./log.ts";
import { nodeAttachmentStorage } from "./node/attachments.ts";
import { localOnly } from "./node/local-only.ts";
import { asyncLogScope } from "./node/log-scope.ts";
import { mailSimulator } from "./node/mail-simulator/index.ts";
import { messengerSimulator } from "./node/messenger-simulator/index.ts";
import { DEMO_SITES, PACKAGE_ROOT } from "./node/paths.ts";
import { productionProblems } from "./node/production.ts";
import { smsSimulator } from "./node/sms-simulator/index.ts";
import type { SmtpListener } from "./node/smtp-listener.ts";
import { staticRoutes } from "./node/static.ts";
import { telegramSimulator } from "./node/telegram-simulator/index.ts";
import { leanUpgradeWebSocket } from "./node/websocket.ts";
import { whatsappSimulator } from "./node/whatsapp-simulator/index.ts";
import { memoryStore } from "./store/memory.ts";
import { redisStore } from "./store/redis.ts";
import { upstashDriver } from "./store/redis-upstash.ts";
import type { Store } from "./store/types.ts";

/** How often live sockets are pinged; one missed pong and the socket is dropped. */
const HEARTBEAT_MS = 30_000;
/** How often the callback queue's reminder and missed rules run (every instance may run them). */
const CALLBACK_SWEEP_MS = 30_000;
const WEBHOOK_INTERVAL_MS = 500;
/** How long a stopping server lets in-flight requests finish before it cuts them off. */
const DRAIN_MS = 10_000;

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.once("error", fail);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => done(port));
    });
  });
}

/** A JSON value given inline, or a path to a file holding it. */
export function jsonOrFile(
  value: string | undefined,
  fallbackPath: string | null,
  name: string,
): string | null {
  if (value === undefined || value === "")
    return fallbackPath ? readFileSync(fallbackPath, "utf8") : null;
  if (value.trim().startsWith("{")) return value;
  if (!existsSync(value))
    throw new ConfigError(`${name} is neither JSON nor an existing file: "${value}"`);
  return readFileSync(value, "utf8");
}

/** Where the development key ring is kept when `OMNITHREAD_KEYS` is unset. */
export function devKeyPath(env: Env): string {
  return resolve(env.OMNITHREAD_DATA_DIR ?? join(PACKAGE_ROOT, ".omnithread"), "dev-keys.json");
}

/** Keys from OMNITHREAD_KEYS, or a development key kept on disk so restarts keep tokens valid. */
async function keyRingConfig(env: Env, log: Logger): Promise<KeyRingConfig> {
  const configured = jsonOrFile(env.OMNITHREAD_KEYS, null, "OMNITHREAD_KEYS");
  if (configured) {
    try {
      return JSON.parse(configured) as KeyRingConfig;
    } catch (error) {
      throw new ConfigError(`OMNITHREAD_KEYS is not valid JSON: ${(error as Error).message}`);
    }
  }
  const path = devKeyPath(env);
  if (!existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, JSON.stringify(await generateKeyRingConfig(), null, 2), { mode: 0o600 });
  }
  log.warn("using a development signing key; set OMNITHREAD_KEYS in production", { path });
  return JSON.parse(readFileSync(path, "utf8")) as KeyRingConfig;
}

async function openStore(config: Config): Promise<Store> {
  if (config.store.kind === "memory") return memoryStore();
  if ("upstash" in config.store) return redisStore(upstashDriver(config.store.upstash));
  // node-redis loads only for a TCP Redis.
  const { tcpDriver } = await import("./node/redis-tcp.ts");
  return redisStore(tcpDriver(config.store.url));
}

/**
 * Stops accepting connections, ends the live ones (`endLive`), closes idle keep-alive
 * connections, and waits for in-flight requests to finish: at most `ms`, then cuts off the rest.
 */
function drain(server: ServerType, ms: number, endLive: () => void): Promise<void> {
  const http = server as ServerType & {
    closeIdleConnections?: () => void;
    closeAllConnections?: () => void;
  };
  return new Promise<void>((done) => {
    const deadline = setTimeout(() => http.closeAllConnections?.(), ms);
    // A keep-alive connection whose last request ends during the drain goes idle then: close it.
    const idle = setInterval(() => http.closeIdleConnections?.(), 50);
    server.close(() => {
      clearTimeout(deadline);
      clearInterval(idle);
      done();
    });
    endLive();
    http.closeIdleConnections?.();
  });
}

/**
 * Frames sent in one event-loop turn leave in one system call: the socket is corked at the first
 * send and uncorked after the turn. One message fans out to several frames (ack, agent, other
 * tabs), and a write per frame was most of the relay's cost.
 */
function batchWrites(ws: WebSocket): void {
  const socket = (ws as WebSocket & { _socket?: { cork(): void; uncork(): void } })._socket;
  if (!socket) return;
  const send = ws.send.bind(ws);
  let corked = false;
  ws.send = ((...args: Parameters<WebSocket["send"]>) => {
    if (!corked) {
      corked = true;
      socket.cork();
      setImmediate(() => {
        corked = false;
        socket.uncork();
      });
    }
    return send(...args);
  }) as WebSocket["send"];
}

/** The mail transport the configuration names: SMTP, Postmark's HTTP API, or the demo's log. */
async function mailTransport(
  config: Config,
  log: Logger,
): Promise<MailTransport & { close?(): void }> {
  const t = config.email.transport;
  if (t.kind !== "smtp") return httpMailTransport(config, log)!;
  // nodemailer loads only when mail goes out over SMTP.
  const { smtpTransport } = await import("./node/smtp-transport.ts");
  return smtpTransport(t.url);
}

export interface StartOptions {
  env?: Env;
  /** A logger of your own; without it, JSON lines at `LOG_LEVEL`, each with its request's id. */
  log?: Logger;
  /** Where those lines go; default standard output. */
  logWrite?: (line: string) => void;
  /** Rate limits, for tests that need them tight or loose. */
  limits?: Partial<Limits>;
  /** Handle SIGTERM/SIGINT (the CLI does; tests do not). */
  signals?: boolean;
  /**
   * Play Meta's side at `/demo/messenger` when the demo site has no Messenger settings and
   * `GRAPH_API_URL` is unset (the CLI does; tests ask for it).
   */
  messengerSimulator?: boolean;
  /**
   * Play Telegram's side at `/demo/telegram` when the demo site has no Telegram settings and
   * `TELEGRAM_API_URL` is unset (the CLI does; tests ask for it).
   */
  telegramSimulator?: boolean;
  /**
   * Play Meta's WhatsApp side at `/demo/whatsapp` when the demo site has no WhatsApp settings,
   * beside the Messenger simulator (they share its Graph API base; the CLI does; tests ask).
   */
  whatsappSimulator?: boolean;
  /**
   * Play Twilio and a mobile phone at `/demo/sms` when the demo site has no SMS settings and
   * `TWILIO_API_URL` is unset (the CLI does; tests ask for it).
   */
  smsSimulator?: boolean;
  /**
   * Play the visitor's mailbox at `/demo/mail` (the `log` transport) when the demo site has no
   * email settings and `EMAIL_FROM` is unset (the CLI does; tests ask for it).
   */
  mailSimulator?: boolean;
  /** How often the callback queue's reminder and missed rules and the retention sweep run; default 30 s. */
  callbackSweepMs?: number;
  /** How often due webhooks are sent (and the feeds' news queued); default 500 ms. */
  webhookIntervalMs?: number;
  /** Webhook timeout, retry waits and fetch, for tests; the defaults are docs/architecture.md §11's. */
  webhooks?: AppDeps["webhooks"];
  /**
   * `omnithread start`: refuse to run on the demo's published settings, development keys or the
   * demo simulators (see `node/production.ts`), naming what to set.
   */
  production?: boolean;
  /** How long stop() lets in-flight requests finish; default 10 s. */
  drainMs?: number;
}

export interface RunningServer {
  /** The Hono app it serves, with every route the entry mounted. */
  app: OmnithreadApp["app"];
  url: string;
  port: number;
  config: Config;
  store: Store;
  /** The email channel (its transport: the demo's log keeps what was sent). */
  email: EmailChannel;
  /** The SMTP listener's port when `SMTP_LISTEN_PORT` is set. */
  smtpPort?: number;
  /**
   * Stops accepting, tells live clients to reconnect elsewhere (WebSockets close with 1012, SSE
   * streams end), lets in-flight requests finish, then closes the store.
   */
  stop(): Promise<void>;
}

/**
 * Starts omnithread on Node: configuration from `env`, the demo sites file when none is given.
 *
 * @example
 * const server = await startServer({ env: { PORT: "0" } });
 * await fetch(`${server.url}/health`);
 * await server.stop();
 */
export async function startServer(options: StartOptions = {}): Promise<RunningServer> {
  const env = options.env ?? process.env;
  const scope = options.log ? undefined : asyncLogScope();
  const logTo = (level?: LogLevel) =>
    createLogger({
      ...(scope ? { scope } : {}),
      ...(options.logWrite ? { write: options.logWrite } : {}),
      ...(level ? { level } : {}),
    });
  let log = options.log ?? logTo();
  const sitesJson = jsonOrFile(
    env.OMNITHREAD_SITES,
    options.production ? null : DEMO_SITES,
    "OMNITHREAD_SITES",
  );
  // PORT=0 (tests): pick the port first, because the public URL and origins derive from it.
  const portEnv = env.PORT === "0" ? { ...env, PORT: String(await freePort()) } : env;
  const config = sitesJson === null ? null : loadConfig(portEnv, sitesJson);
  if (options.production) {
    const problems = await productionProblems(env, config, devKeyPath(env));
    if (problems.length > 0) throw new ConfigError(problems);
  }
  if (!config) throw new ConfigError("OMNITHREAD_SITES: not set");
  if (!options.log) log = logTo(config.logLevel);
  const keyRing = await loadKeyRing(await keyRingConfig(env, log));
  const store = await openStore(config);
  // The demo's Messenger simulator reaches this process over loopback.
  const host = !env.HOST || env.HOST === "0.0.0.0" || env.HOST === "::" ? "127.0.0.1" : env.HOST;
  const localUrl = `http://${host.includes(":") ? `[${host}]` : host}:${config.port}`;
  const simulator =
    options.messengerSimulator && !env.GRAPH_API_URL ? messengerSimulator(config, localUrl) : null;
  const whatsappPhone =
    options.whatsappSimulator && simulator ? whatsappSimulator(config, localUrl) : null;
  const telegramPhone =
    options.telegramSimulator && !env.TELEGRAM_API_URL ? telegramSimulator(config, localUrl) : null;
  const smsPhone =
    options.smsSimulator && !env.TWILIO_API_URL ? smsSimulator(config, localUrl) : null;

  // The demo's webmail hands mail back to the channel's raw inbound path, once the app is built.
  let services: OmnithreadApp["services"] | null = null;
  const webmail =
    options.mailSimulator && !env.EMAIL_FROM
      ? mailSimulator(config, log, async (raw) => {
          if (!services) throw new Error("the server is not ready");
          return email.receiveRaw(services.port, raw);
        })
      : null;

  const transport: MailTransport & { close?(): void } =
    webmail?.transport ?? (await mailTransport(config, log));
  const { channels, email } = serverChannels(config, {
    transport,
    ...(simulator ? { graphApiUrl: simulator.graphApiUrl } : {}),
    ...(telegramPhone ? { telegramApiUrl: telegramPhone.apiUrl } : {}),
    ...(smsPhone ? { twilioApiUrl: smsPhone.apiUrl } : {}),
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: LIMITS.bodyBytes * 2 });
  const built = createApp({
    config,
    store,
    keyRing,
    attachments: nodeAttachmentStorage(config, env),
    // Lighter per socket and per frame than the adapter's own (see node/websocket.ts).
    upgradeWebSocket: leanUpgradeWebSocket,
    connectionIp: (c) => getConnInfo(c).remote.address,
    log,
    ...(scope ? { logScope: scope } : {}),
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.webhooks ? { webhooks: options.webhooks } : {}),
    channels,
  });
  services = built.services;
  if (simulator || webmail || telegramPhone || smsPhone) {
    // The simulators show every thread's messages and mail (resume links too): this machine only.
    if (env.OMNITHREAD_DEMO_PUBLIC !== "1") built.app.use("/demo/*", localOnly);
    else log.warn("OMNITHREAD_DEMO_PUBLIC=1: the demo simulators answer anyone who can reach them");
  }
  // WhatsApp's Cloud API paths sit under the Messenger simulator's Graph API base: first.
  if (whatsappPhone) built.app.route("/", whatsappPhone.phone.routes);
  if (simulator) built.app.route("/", simulator.routes);
  if (telegramPhone) built.app.route("/", telegramPhone.phone.routes);
  if (smsPhone) built.app.route("/", smsPhone.phone.routes);
  if (webmail) built.app.route("/", webmail.routes);
  built.app.route(
    "/",
    staticRoutes(PACKAGE_ROOT, { demo: config.sites.some((site) => site.id === "demo") }),
  );
  const server: ServerType = await new Promise((ready) => {
    const listener = serve(
      {
        fetch: built.app.fetch,
        port: config.port,
        hostname: env.HOST ?? "0.0.0.0",
        websocket: { server: wss },
      },
      () => ready(listener),
    );
  });
  const port = (server.address() as AddressInfo).port;
  const smtp: SmtpListener | null =
    config.email.listenPort !== undefined
      ? await (await import("./node/smtp-listener.ts")).startSmtpListener({
          port: config.email.listenPort,
          host: env.HOST ?? "0.0.0.0",
          checkRecipient: (address) => email.checkRecipient(built.services.port, address),
          receive: (raw, envelope) => email.receiveRaw(built.services.port, raw, envelope),
          log,
        })
      : null;

  const alive = new WeakSet<object>();
  wss.on("connection", (ws) => {
    alive.add(ws);
    ws.on("pong", () => alive.add(ws));
    batchWrites(ws);
  });
  const heartbeat = setInterval(() => {
    for (const ws of wss.clients) {
      if (!alive.has(ws)) ws.terminate();
      else {
        alive.delete(ws);
        ws.ping();
      }
    }
  }, HEARTBEAT_MS);
  heartbeat.unref();
  const sweep = setInterval(() => {
    built.services.callbacks
      .sweep()
      .catch((error: unknown) => log.error("callback sweep failed", { error: String(error) }));
    sweepRetention(built.services, config.sites, built.services.now())
      .then((erased) => {
        if (erased.conversations > 0) log.info("retention sweep", erased);
      })
      .catch((error: unknown) => log.error("retention sweep failed", { error: String(error) }));
  }, options.callbackSweepMs ?? CALLBACK_SWEEP_MS);
  sweep.unref();
  // One round at a time: a round waiting on a slow receiver is not joined by another.
  let delivering: Promise<unknown> | null = null;
  const webhookTimer = setInterval(() => {
    delivering ??= built.services.webhooks
      .deliver()
      .catch((error: unknown) => log.error("webhook delivery failed", { error: String(error) }))
      .finally(() => {
        delivering = null;
      });
  }, options.webhookIntervalMs ?? WEBHOOK_INTERVAL_MS);
  webhookTimer.unref();

  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= (async () => {
      clearInterval(heartbeat);
      clearInterval(sweep);
      clearInterval(webhookTimer);
      await delivering;
      await smtp?.close();
      transport.close?.();
      await drain(server, options.drainMs ?? DRAIN_MS, () => {
        built.sockets.closeAll(CLOSE_SERVICE_RESTART, "server restarting");
        for (const ws of wss.clients) ws.terminate();
      });
      built.services.hub.close();
      built.services.presence.close();
      await store.close();
      log.info("stopped");
    })();
    return stopping;
  };
  if (options.signals) {
    for (const signal of ["SIGTERM", "SIGINT"] as const) {
      process.once(signal, () => {
        log.info("shutting down", { signal });
        void stop().then(() => process.exit(0));
      });
    }
  }
  const url = `http://localhost:${port}`;
  log.info("listening", { url, publicUrl: config.publicUrl, store: config.store.kind });
  return {
    app: built.app,
    url,
    port,
    config,
    store,
    email,
    ...(smtp ? { smtpPort: smtp.port } : {}),
    stop,
  };
}
