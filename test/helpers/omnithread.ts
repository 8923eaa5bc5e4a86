import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import WebSocket from "ws";
import type { ServerFrame } from "../../sdk/protocol.ts";
import { generateKeyRingConfig } from "../../server/auth/keys.ts";
import type { Limits } from "../../server/http/rate-limit.ts";
import { silentLogger } from "../../server/log.ts";
import { type RunningServer, type StartOptions, startServer } from "../../server/node.ts";

/** One key ring per test run, so instances started by one test trust each other's tokens. */
export const testKeys = generateKeyRingConfig().then((ring) => JSON.stringify(ring));

/**
 * Starts a real server on a free loopback port with the demo sites file. `options` passes
 * start options through, e.g. `{ messengerSimulator: true }` for the demo's `/demo/messenger`,
 * `{ mailSimulator: true }` for its webmail at `/demo/mail`.
 */
export async function startTestServer(
  env: Record<string, string> = {},
  limits?: Partial<Limits>,
  options: Pick<
    StartOptions,
    | "messengerSimulator"
    | "telegramSimulator"
    | "whatsappSimulator"
    | "smsSimulator"
    | "mailSimulator"
    | "callbackSweepMs"
    | "webhookIntervalMs"
  > = {},
): Promise<RunningServer> {
  return startServer({
    env: {
      PORT: "0",
      HOST: "127.0.0.1",
      OMNITHREAD_KEYS: await testKeys,
      // Files into a directory of the run's own, never the checkout's data directory.
      ATTACHMENTS: `fs:${mkdtempSync(join(tmpdir(), "omnithread-files-"))}`,
      ...env,
    },
    log: silentLogger,
    ...(limits ? { limits } : {}),
    ...options,
  });
}

/** A running server as the contract suites see it, whatever runs it (Node, the edge worker). */
export interface ServerUnderTest {
  /** Where requests go. */
  url: string;
  /** `PUBLIC_URL`: the token issuer. */
  publicUrl: string;
  /** A browser origin the demo site allows: the server's own. */
  ownOrigin: string;
}

/** A Node server started by {@link startTestServer}, for the contract suites. */
export function nodeUnderTest(server: RunningServer): ServerUnderTest {
  return { url: server.url, publicUrl: server.config.publicUrl, ownOrigin: server.url };
}

export interface JsonResponse<T = Record<string, unknown>> {
  status: number;
  body: T;
  headers: Headers;
}

/** fetch + JSON, with the Authorization header when a token is given. */
export async function api<T = Record<string, unknown>>(
  base: string,
  path: string,
  init: { method?: string; token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<JsonResponse<T>> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  if (init.body !== undefined) headers["content-type"] ??= "application/json";
  const response = await fetch(base + path, {
    method: init.method ?? (init.body === undefined ? "GET" : "POST"),
    headers,
    ...(init.body !== undefined
      ? { body: typeof init.body === "string" ? init.body : JSON.stringify(init.body) }
      : {}),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: (text ? JSON.parse(text) : {}) as T,
    headers: response.headers,
  };
}

/** A live WebSocket client that records every frame it receives. */
export class LiveClient {
  readonly frames: ServerFrame[] = [];
  closed: { code: number; reason: string } | null = null;
  private constructor(readonly socket: WebSocket) {
    socket.on("message", (data) => this.frames.push(JSON.parse(String(data)) as ServerFrame));
    socket.on("close", (code, reason) => {
      this.closed = { code, reason: String(reason) };
    });
  }

  static async connect(url: string, origin?: string): Promise<LiveClient> {
    const socket = new WebSocket(url.replace(/^http/, "ws"), origin ? { origin } : {});
    const client = new LiveClient(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once("open", () => resolve());
      socket.once("error", reject);
      socket.once("unexpected-response", (_req, res) =>
        reject(new Error(`upgrade refused: ${res.statusCode}`)),
      );
    });
    return client;
  }

  send(frame: unknown): void {
    this.socket.send(typeof frame === "string" ? frame : JSON.stringify(frame));
  }

  /** Waits for a frame matching `predicate` (already received or still to come). */
  async waitFor<F extends ServerFrame>(
    predicate: (frame: ServerFrame) => frame is F,
    ms?: number,
  ): Promise<F>;
  async waitFor(predicate: (frame: ServerFrame) => boolean, ms?: number): Promise<ServerFrame>;
  async waitFor(predicate: (frame: ServerFrame) => boolean, ms = 5000): Promise<ServerFrame> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = this.frames.find(predicate);
      if (found) return found;
      if (Date.now() > deadline) {
        throw new Error(
          `no matching frame within ${ms} ms; got ${JSON.stringify(this.frames).slice(0, 800)}`,
        );
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  async waitForClose(ms = 5000): Promise<{ code: number; reason: string }> {
    const deadline = Date.now() + ms;
    while (!this.closed) {
      if (Date.now() > deadline) throw new Error("socket did not close");
      await new Promise((r) => setTimeout(r, 10));
    }
    return this.closed;
  }

  /** Sequence numbers of the event frames received, in arrival order. */
  eventSeqs(): number[] {
    return this.frames.flatMap((f) => (f.type === "event" ? [f.event.seq] : []));
  }

  close(): void {
    this.socket.close();
  }
}
