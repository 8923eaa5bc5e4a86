/**
 * Test helper: run a throwaway `redis-server` (Debian's 7.0 package) on a loopback port.
 *
 * - `--save ''` and `--appendonly no` by default, so it starts in milliseconds and writes nothing;
 *   `appendonly: true` switches to `--appendonly yes --appendfsync always` for durability tests.
 * - `restart()` stops the process and starts it again on the same port and directory, so data
 *   survives a restart when `appendonly` is on.
 * - Every spawned process is also killed when the Node process exits, so a crashed test run does
 *   not leave servers behind.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { accessSync, constants as fsConstants } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { Socket } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { freePort } from "./free-port.ts";

export interface RedisServerOptions {
  /** `--appendonly yes --appendfsync always` instead of `--appendonly no`. */
  appendonly?: boolean;
  /** Working directory (AOF files go here). A fresh temp dir, removed on stop(), by default. */
  dir?: string;
  /** Port to listen on. A free port by default. */
  port?: number;
  /** More arguments, after the defaults (a deployment's own command line, say). */
  args?: string[];
}

export interface RedisServerHandle {
  port: number;
  /** `redis://127.0.0.1:<port>` */
  url: string;
  /** SIGTERM the server and wait for it to exit (also removes the temp dir this helper created). */
  stop(): Promise<void>;
  /** Stop, then start again on the same port and dir (data is kept when `appendonly` is on). */
  restart(): Promise<void>;
}

const BINARY = "redis-server";
const INSTALL_HINT = "apt-get install -y redis-server";
const READY_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once("exit", () => {
    for (const child of live) child.kill("SIGKILL");
  });
}

function findBinary(): string | undefined {
  const dirs = (process.env.PATH ?? "").split(delimiter).filter(Boolean);
  for (const extra of ["/usr/bin", "/usr/local/bin", "/usr/sbin", "/bin"]) {
    if (!dirs.includes(extra)) dirs.push(extra);
  }
  for (const dir of dirs) {
    const candidate = join(dir, BINARY);
    try {
      accessSync(candidate, fsConstants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** True when a `redis-server` executable is on the PATH (or in /usr/bin, /usr/local/bin). */
export function hasRedisServer(): boolean {
  return findBinary() !== undefined;
}

function missingBinaryError(): Error {
  return new Error(
    `redis-server is not installed (not found on PATH). Install it with: ${INSTALL_HINT}`,
  );
}

/** One TCP round trip: connect, send PING, true when the answer is +PONG. */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    let answer = "";
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once("error", () => done(false));
    socket.on("data", (chunk) => {
      answer += chunk.toString("latin1");
      if (answer.includes("\r\n")) done(answer.startsWith("+PONG"));
    });
    socket.connect(port, "127.0.0.1", () => socket.write("PING\r\n"));
  });
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface Running {
  child: ChildProcess;
  exited: Promise<void>;
}

class StartError extends Error {
  constructor(
    message: string,
    readonly addressInUse: boolean,
  ) {
    super(message);
  }
}

async function spawnServer(
  binary: string,
  port: number,
  dir: string,
  appendonly: boolean,
  extra: string[] = [],
): Promise<Running> {
  const args = [
    "--port",
    String(port),
    "--bind",
    "127.0.0.1",
    "--dir",
    dir,
    "--save",
    "",
    "--daemonize",
    "no",
    "--logfile",
    "",
    "--loglevel",
    "notice",
    ...(appendonly ? ["--appendonly", "yes", "--appendfsync", "always"] : ["--appendonly", "no"]),
    ...extra,
  ];
  const child = spawn(binary, args, { stdio: ["ignore", "pipe", "pipe"] });
  installExitHook();
  live.add(child);

  // Keep the tail of the log for error messages (and keep the pipes drained).
  let log = "";
  const collect = (chunk: Buffer) => {
    log = (log + chunk.toString("utf8")).slice(-8_000);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);

  let exitedFlag = false;
  let spawnError: Error | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once("error", (error) => {
      spawnError = error;
      exitedFlag = true;
      live.delete(child);
      resolve();
    });
    child.once("exit", () => {
      exitedFlag = true;
      live.delete(child);
      resolve();
    });
  });

  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exitedFlag) break;
    if (await ping(port)) return { child, exited };
    await sleep(10);
  }

  if (!exitedFlag) {
    child.kill("SIGKILL");
    await exited;
    throw new StartError(
      `redis-server did not answer PING on 127.0.0.1:${port} within ${READY_TIMEOUT_MS} ms\n${log}`,
      false,
    );
  }
  if (spawnError && (spawnError as NodeJS.ErrnoException).code === "ENOENT") {
    throw missingBinaryError();
  }
  throw new StartError(
    `redis-server exited before it was ready on 127.0.0.1:${port}${
      spawnError ? ` (${spawnError.message})` : ""
    }\n${log}`,
    /address already in use/i.test(log),
  );
}

async function killServer(running: Running): Promise<void> {
  if (running.child.exitCode !== null || running.child.signalCode !== null) return;
  running.child.kill("SIGTERM");
  const timer = setTimeout(() => running.child.kill("SIGKILL"), STOP_TIMEOUT_MS);
  try {
    await running.exited;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Start `redis-server` on 127.0.0.1 and resolve once it answers PING.
 * Throws (with the apt-get command to fix it) when `redis-server` is not installed.
 */
export async function startRedisServer(
  options: RedisServerOptions = {},
): Promise<RedisServerHandle> {
  const binary = findBinary();
  if (!binary) throw missingBinaryError();
  const appendonly = options.appendonly ?? false;
  const ownDir = options.dir === undefined;
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), "omnithread-redis-")));

  let port = options.port ?? 0;
  let running: Running | undefined;
  try {
    // A port found free can be taken before redis binds it: retry with another one.
    for (let attempt = 0; ; attempt++) {
      if (options.port === undefined) port = await freePort();
      try {
        running = await spawnServer(binary, port, dir, appendonly, options.args);
        break;
      } catch (error) {
        const retry =
          error instanceof StartError &&
          error.addressInUse &&
          options.port === undefined &&
          attempt < 5;
        if (!retry) throw error;
      }
    }
  } catch (error) {
    if (ownDir) await rm(dir, { recursive: true, force: true });
    throw error;
  }

  let stopped = false;
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      if (stopped) return;
      stopped = true;
      if (running) await killServer(running);
      running = undefined;
      if (ownDir) await rm(dir, { recursive: true, force: true });
    },
    async restart() {
      if (stopped) throw new Error("restart() after stop(): start a new server instead");
      if (running) await killServer(running);
      running = undefined;
      running = await spawnServer(binary, port, dir, appendonly, options.args);
    },
  };
}
