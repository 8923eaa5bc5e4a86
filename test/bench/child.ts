/**
 * The harness every server under test runs in: one child process per server, so the load
 * generator (the parent) never shares an event loop with it. The child prints its port on
 * stdout, reports `ready` over IPC, answers `stats` requests (memory after a forced GC, CPU time,
 * event-loop utilisation) and exits on `stop` or when the parent goes away.
 */
import { performance } from "node:perf_hooks";

export interface Served {
  port: number;
  stop(): Promise<void>;
}

export interface ServerStats {
  memory: NodeJS.MemoryUsage;
  /** Microseconds of user and system CPU since the child started. */
  cpu: NodeJS.CpuUsage;
  /** Event-loop utilisation since the child started (`performance.eventLoopUtilization()`). */
  elu: { idle: number; active: number };
}

export type ParentMessage = { type: "stats"; id: number; gc: boolean } | { type: "stop" };

export type ChildMessage =
  | { type: "ready"; port: number }
  | { type: "stats"; id: number; stats: ServerStats }
  | { type: "failed"; error: string };

const STOP_GRACE_MS = 3_000;

function collectGarbage(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return Promise.resolve();
  gc();
  // A second pass after the event loop turned collects what finalizers released.
  return new Promise((done) =>
    setImmediate(() => {
      gc();
      done();
    }),
  );
}

/**
 * Starts a server with `start`, then serves the parent's requests until told to stop.
 *
 * @example
 * await runServerChild("ws-relay", async () => ({ port, stop }));
 */
export async function runServerChild(name: string, start: () => Promise<Served>): Promise<void> {
  const reply = (message: ChildMessage) => process.send?.(message);
  let served: Served;
  try {
    served = await start();
  } catch (error) {
    reply({
      type: "failed",
      error: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
    process.exit(1);
  }
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => process.exit(0), STOP_GRACE_MS).unref();
    await served.stop().catch(() => undefined);
    // process.exit (not a kill) so `--cpu-prof` gets to write its profile.
    process.exit(0);
  };
  process.on("message", (message: ParentMessage) => {
    if (message.type === "stop") void stop();
    else if (message.type === "stats") {
      const id = message.id;
      void (message.gc ? collectGarbage() : Promise.resolve()).then(() => {
        const elu = performance.eventLoopUtilization();
        reply({
          type: "stats",
          id,
          stats: {
            memory: process.memoryUsage(),
            cpu: process.cpuUsage(),
            elu: { idle: elu.idle, active: elu.active },
          },
        });
      });
    }
  });
  // The parent died or closed the channel: nothing is left to serve.
  process.on("disconnect", () => void stop());
  process.on("SIGTERM", () => void stop());
  process.on("SIGINT", () => void stop());
  console.log(JSON.stringify({ server: name, port: served.port }));
  reply({ type: "ready", port: served.port });
}
