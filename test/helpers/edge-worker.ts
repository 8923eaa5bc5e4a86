/**
 * Test helper: the bundled edge worker (`dist/edge/worker.js`, built by the global setup as
 * `npm run build:worker` builds it) under workerd through miniflare, on a loopback port, with
 * the static assets bound as `ASSETS` and the email and cron handlers reachable.
 *
 * - `url`: real HTTP, so WebSockets, SSE and the SDK work against it as against a Node server.
 * - `email(raw, envelope)`: delivers a message to the worker's `email` handler the way Email
 *   Routing does (miniflare's `/cdn-cgi/handler/email`); a `setReject` answers 400 with the reason.
 * - `output()`: what the worker logged, for failure messages.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { Log, LogLevel, Miniflare } from "miniflare";
import type { Limits } from "../../server/http/rate-limit.ts";

export const WORKER_SCRIPT = "dist/edge/worker.js";
const ASSETS_DIR = "dist/edge/assets";

export interface EdgeWorker {
  url: string;
  email(raw: string, envelope: { from: string; to: string }): Promise<Response>;
  /** Runs the `scheduled` handler as a Cron Trigger would; answers its outcome ("ok"). */
  scheduled(cron: string): Promise<string>;
  output(): string;
  stop(): Promise<void>;
}

/** Miniflare's own warnings (a rejected email, say) go to `output()`, not the test's stdout. */
class KeptLog extends Log {
  constructor(private readonly keep: (text: string) => void) {
    super(LogLevel.WARN);
  }
  protected override log(message: string): void {
    this.keep(`${message}\n`);
  }
}

/** The demo sites file as the worker takes it: JSON text in a binding. */
export const DEMO_SITES_JSON = readFileSync("demo/sites.json", "utf8");

/**
 * Starts the worker. `limits` go to `createWorker({ limits })` through a two-line entry module
 * in front of the bundle, as a deployment's own entry would pass them.
 */
export async function startEdgeWorker(
  bindings: Record<string, string>,
  limits?: Partial<Limits>,
): Promise<EdgeWorker> {
  let output = "";
  const keep = (text: string) => {
    output = (output + text).slice(-50_000);
  };
  const mf = new Miniflare({
    modulesRoot: dirname(WORKER_SCRIPT),
    modules: [
      {
        type: "ESModule",
        path: join(dirname(WORKER_SCRIPT), "under-test.mjs"),
        contents: `import { createWorker } from "./worker.js";\nexport default createWorker(${JSON.stringify(limits ? { limits } : {})});\n`,
      },
      { type: "ESModule", path: WORKER_SCRIPT },
    ],
    compatibilityDate: "2026-04-01",
    bindings,
    // The attachments' bucket, as wrangler.toml's commented [[r2_buckets]] binds it.
    r2Buckets: ["ATTACHMENTS_BUCKET"],
    assets: {
      directory: ASSETS_DIR,
      binding: "ASSETS",
      // The worker answers every path itself (its API, and the assets with their headers).
      routerConfig: { invoke_user_worker_ahead_of_assets: true, has_user_worker: true },
      assetConfig: { html_handling: "none", not_found_handling: "none" },
    },
    unsafeTriggerHandlers: true,
    host: "127.0.0.1",
    port: 0,
    log: new KeptLog(keep),
    telemetry: { enabled: false },
    structuredWorkerdLogs: true,
    handleStructuredLogs: ({ level, message }) => keep(`${level}: ${message}\n`),
    handleRuntimeStdio(stdout, stderr) {
      stdout.resume(); // the same lines as the structured logs
      stderr.on("data", (chunk: Buffer) => keep(chunk.toString("utf8")));
    },
  });
  const url = (await mf.ready).origin;
  return {
    url,
    email: (raw, envelope) =>
      fetch(
        `${url}/cdn-cgi/handler/email?${new URLSearchParams({ from: envelope.from, to: envelope.to })}`,
        { method: "POST", body: raw },
      ),
    // Straight to the worker: miniflare's `/cdn-cgi/handler/scheduled` would reach the assets
    // router in front of it, which has no scheduled handler (Cron Triggers skip it on Cloudflare).
    scheduled: async (cron) => {
      // Typed by @cloudflare/workers-types, which this project does not install.
      const worker = (await mf.getWorker()) as unknown as {
        scheduled(options: { cron: string; scheduledTime: Date }): Promise<{ outcome: string }>;
      };
      return (await worker.scheduled({ cron, scheduledTime: new Date() })).outcome;
    },
    output: () => output,
    stop: () => mf.dispose(),
  };
}
