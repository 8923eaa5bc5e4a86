/**
 * `npm run bench`: omnithread's live relay (visitor → agent console) against a bare `ws` relay
 * and a Socket.IO relay doing the same work, in one run on one machine (docs/architecture.md §8).
 *
 * Each server runs in its own child process (`serve-*.ts`); this process is the load generator.
 *   1. idle memory (per server): N visitor sockets open and past hello; the server's heap and
 *      RSS growth per socket (after a forced GC);
 *   2. fixed load (per server): those N visitors send R msg/s in total for S s; visitor → agent
 *      latency percentiles and lost messages (must be 0);
 *   3. throughput: K visitors send as fast as a window of W unacknowledged messages each allows;
 *      messages per second delivered to the agent. S s in total per server, in rounds that take
 *      turns between the servers (A B C A B C …); rounds during which something else took the
 *      CPU are marked and left out of the median.
 * One server works at a time; the others sit idle with their sockets open. Both sides' CPU is
 * reported, so a generator that became the limit shows.
 *
 *   npm run bench -- --sockets 2000 --rate 500 --seconds 10 [--redis] [--only omnithread,ws-relay]
 *                    [--senders 50] [--window 20] [--warmup 2] [--rounds 5] [--profile]
 *                    [--sio-client raw|official]
 */
import { type ChildProcess, fork } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { availableParallelism, cpus, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { type RedisServerHandle, startRedisServer } from "../helpers/redis-server.ts";
import type { ChildMessage, ParentMessage, ServerStats } from "./child.ts";
import {
  type AgentConsole,
  inParallel,
  messageText,
  type ServerKind,
  targetFor,
  type Visitor,
} from "./clients.ts";
import { Ledger } from "./ledger.ts";

const HERE = dirname(fileURLToPath(import.meta.url));
const SERVERS: Record<ServerKind, { file: string; label: string }> = {
  omnithread: { file: "serve-omnithread.ts", label: "omnithread" },
  "ws-relay": { file: "serve-ws-relay.ts", label: "bare ws" },
  "socketio-relay": { file: "serve-socketio-relay.ts", label: "Socket.IO" },
};
/** How long to wait for the last messages of a phase before counting the rest as lost. */
const DRAIN_MS = 10_000;
const READY_MS = 30_000;
/** The warm-up of every throughput round after the first (the JIT is warm by then). */
const ROUND_WARMUP_MS = 500;
/** Sockets opened at once while setting up. */
const OPEN_WIDTH = 64;

const { values: flags } = parseArgs({
  options: {
    sockets: { type: "string", default: "2000" },
    rate: { type: "string", default: "500" },
    seconds: { type: "string", default: "10" },
    senders: { type: "string", default: "50" },
    window: { type: "string", default: "20" },
    warmup: { type: "string", default: "2" },
    rounds: { type: "string", default: "5" },
    "sio-client": { type: "string", default: "raw" },
    only: { type: "string" },
    redis: { type: "boolean", default: false },
    profile: { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  },
});

if (flags.help) {
  console.log(
    "usage: npm run bench -- [--sockets 2000] [--rate 500] [--seconds 10] [--senders 50]\n" +
      "       [--window 20] [--warmup 2] [--rounds 5] [--only omnithread,ws-relay,socketio-relay]\n" +
      "       [--sio-client raw|official (drive Socket.IO over ws, or with socket.io-client)]\n" +
      "       [--redis (omnithread on a throwaway redis-server instead of the memory store)]\n" +
      "       [--profile (writes a .cpuprofile of each server child to a temp dir)]",
  );
  process.exit(0);
}

function positive(name: string, value: string | undefined): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) {
    console.error(`--${name} must be a positive number, got "${value}"`);
    process.exit(2);
  }
  return n;
}

const options = {
  sockets: Math.floor(positive("sockets", flags.sockets)),
  rate: positive("rate", flags.rate),
  seconds: positive("seconds", flags.seconds),
  senders: Math.floor(positive("senders", flags.senders)),
  window: Math.floor(positive("window", flags.window)),
  warmup: Number(flags.warmup) >= 0 ? Number(flags.warmup) : 2,
  rounds: Math.floor(positive("rounds", flags.rounds)),
  officialSocketIoClient: flags["sio-client"] === "official",
  redis: flags.redis,
  profile: flags.profile,
};
const kinds = (flags.only?.split(",").map((s) => s.trim()) ?? Object.keys(SERVERS)) as ServerKind[];
for (const kind of kinds) {
  if (!(kind in SERVERS)) {
    console.error(`--only: unknown server "${kind}" (${Object.keys(SERVERS).join(", ")})`);
    process.exit(2);
  }
}
if (options.senders > options.sockets) options.senders = options.sockets;

/** The soft limit on open files (Linux), or null where /proc does not say. */
function openFileLimit(): number | null {
  try {
    const line = readFileSync("/proc/self/limits", "utf8").match(/^Max open files\s+(\d+)/m);
    return line ? Number(line[1]) : null;
  } catch {
    return null;
  }
}
// The generator holds every server's sockets at once (they stay open between phases).
const filesNeeded = options.sockets * kinds.length + 256;
const fileLimit = openFileLimit();
if (fileLimit !== null && fileLimit < filesNeeded) {
  console.error(
    `${options.sockets} sockets × ${kinds.length} servers need about ${filesNeeded} open files; ` +
      `the limit is ${fileLimit}. Raise it first (ulimit -n ${Math.max(filesNeeded, 65536)}), ` +
      "or pass a smaller --sockets.",
  );
  process.exit(2);
}
if (flags["sio-client"] !== "raw" && flags["sio-client"] !== "official") {
  console.error(`--sio-client must be "raw" or "official", got "${flags["sio-client"]}"`);
  process.exit(2);
}

// ---------------------------------------------------------------------------------------------
// Child processes: started one at a time, all killed whenever this process leaves.

const children = new Set<ChildProcess>();
let redis: RedisServerHandle | null = null;
/** A function, so TypeScript does not narrow `redis` to its initial null at the call sites. */
const stopRedis = (): Promise<void> => redis?.stop() ?? Promise.resolve();

function killChildren(): void {
  for (const child of children) child.kill("SIGKILL");
  children.clear();
}
process.on("exit", killChildren);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping the servers`);
    killChildren();
    void stopRedis().finally(() => process.exit(130));
  });
}

const profileDir = options.profile ? mkdtempSync(join(tmpdir(), "omnithread-bench-prof-")) : null;

interface ServerChild {
  port: number;
  stats(gc: boolean): Promise<ServerStats>;
  stop(): Promise<void>;
}

async function startChild(kind: ServerKind): Promise<ServerChild> {
  const execArgv = ["--import", import.meta.resolve("tsx"), "--expose-gc"];
  // One folder per server: the tsx loader's worker thread writes a (small) profile of its own.
  if (profileDir) execArgv.push("--cpu-prof", `--cpu-prof-dir=${join(profileDir, kind)}`);
  const child = fork(join(HERE, SERVERS[kind].file), [], {
    execArgv,
    stdio: ["ignore", "pipe", "inherit", "ipc"],
    env: {
      ...process.env,
      ...(redis && kind === "omnithread" ? { BENCH_REDIS_URL: redis.url } : {}),
    },
  });
  children.add(child);
  child.stdout?.resume();
  const exited = new Promise<void>((done) => child.once("exit", () => done()));
  exited.then(() => children.delete(child));

  let nextId = 0;
  let stopping = false;
  const waiting = new Map<
    number,
    { resolve(stats: ServerStats): void; reject(error: Error): void }
  >();
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${kind} did not start within ${READY_MS} ms`)),
      READY_MS,
    );
    child.on("message", (message: ChildMessage) => {
      if (message.type === "ready") {
        clearTimeout(timer);
        resolve(message.port);
      } else if (message.type === "failed") {
        clearTimeout(timer);
        reject(new Error(`${kind} failed to start:\n${message.error}`));
      } else if (message.type === "stats") {
        waiting.get(message.id)?.resolve(message.stats);
        waiting.delete(message.id);
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${kind} exited with ${code} before it was ready`));
    });
  });
  child.once("exit", (code, signal) => {
    if (stopping) return;
    const error = new Error(`${kind} exited unexpectedly (${code ?? signal})`);
    for (const pending of waiting.values()) pending.reject(error);
    waiting.clear();
  });
  const send = (message: ParentMessage) => child.send(message);
  return {
    port,
    stats(gc) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${kind} did not report stats`)), 15_000);
        waiting.set(id, {
          resolve(stats) {
            clearTimeout(timer);
            resolve(stats);
          },
          reject(error) {
            clearTimeout(timer);
            reject(error);
          },
        });
        if (child.connected) send({ type: "stats", id, gc });
        else reject(new Error(`${kind} is gone`));
      });
    },
    async stop() {
      stopping = true;
      if (child.exitCode === null && child.signalCode === null) {
        if (child.connected) send({ type: "stop" });
        const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
        await exited;
        clearTimeout(timer);
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Phases.

const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

async function until(condition: () => boolean, ms: number): Promise<boolean> {
  const deadline = performance.now() + ms;
  while (!condition()) {
    if (performance.now() > deadline) return false;
    await sleep(5);
  }
  return true;
}

/** CPU use between two snapshots, in % of one core. */
function cpuPercent(a: NodeJS.CpuUsage, b: NodeJS.CpuUsage, wallMs: number): number {
  return ((b.user - a.user + b.system - a.system) / 1000 / wallMs) * 100;
}

function eluBetween(a: ServerStats["elu"], b: ServerStats["elu"]): number {
  const active = b.active - a.active;
  const idle = b.idle - a.idle;
  return active + idle > 0 ? active / (active + idle) : 0;
}

interface Sides {
  /** % of one core, GC threads included (so it can pass 100). */
  serverCpu: number;
  /** Share of wall time the server's event loop was busy, 0-1. */
  serverElu: number;
  generatorCpu: number;
  /** Share of wall time the generator's event loop was busy, 0-1. */
  generatorElu: number;
  /** CPU the whole machine spent beyond both sides (kernel networking, other processes). */
  otherCpu: number;
}

/** Busy CPU time of the whole machine so far, in µs (all cores). */
function machineBusy(): number {
  let busy = 0;
  for (const cpu of cpus()) busy += cpu.times.user + cpu.times.nice + cpu.times.sys + cpu.times.irq;
  return busy * 1000;
}

/** CPU time a process got per unit of time its event loop was busy (about 1 when it has a core). */
const share = (cpu: number, elu: number) => (elu > 0.2 ? cpu / (elu * 100) : 1);

/**
 * Something outside this benchmark (another process, a noisy VM neighbour) took CPU during the
 * measurement: a side's loop was busy yet got clearly less CPU than that, or the machine spent
 * much more than both sides did (0-10% of a core on a quiet machine).
 */
const disturbed = (sides: Sides) =>
  share(sides.serverCpu, sides.serverElu) < 0.85 ||
  share(sides.generatorCpu, sides.generatorElu) < 0.85 ||
  sides.otherCpu > 25;

/** Measures both sides' CPU across `work`. */
async function measured<T>(
  server: ServerChild,
  work: () => Promise<T>,
): Promise<T & { sides: Sides }> {
  const s0 = await server.stats(false);
  const m0 = machineBusy();
  const g0 = process.cpuUsage();
  const e0 = performance.eventLoopUtilization();
  const t0 = performance.now();
  const result = await work();
  const wall = performance.now() - t0;
  const g1 = process.cpuUsage();
  const e1 = performance.eventLoopUtilization(e0);
  const m1 = machineBusy();
  const s1 = await server.stats(false);
  const serverCpu = cpuPercent(s0.cpu, s1.cpu, wall);
  const generatorCpu = cpuPercent(g0, g1, wall);
  return {
    ...result,
    sides: {
      serverCpu,
      serverElu: eluBetween(s0.elu, s1.elu),
      generatorCpu,
      generatorElu: e1.utilization,
      otherCpu: Math.max(0, ((m1 - m0) / 1000 / wall) * 100 - serverCpu - generatorCpu),
    },
  };
}

type Latency = ReturnType<Ledger["percentiles"]>;

interface Outcome {
  sent: number;
  lost: number;
  duplicates: number;
  errors: number;
  firstErrors: string[];
}

interface IdleResult {
  heapPerSocket: number;
  rssPerSocket: number;
  externalPerSocket: number;
  openMs: number;
}

interface FixedResult extends Outcome {
  latency: Latency;
  sides: Sides;
}

interface Round extends Outcome {
  perSecond: number;
  latency: Latency;
  sides: Sides;
}

/** One server, up with its agent console and N visitors, between phases. */
interface Bench {
  kind: ServerKind;
  label: string;
  server: ServerChild;
  visitors: Visitor[];
  agent: AgentConsole;
  /** The phase now counting deliveries and acks. */
  phase: Ledger;
  onAck: (i: number) => void;
  /** Message numbers used so far (numbers are never reused, so strays can be told apart). */
  numbered: number;
  idle: IdleResult;
  fixed?: FixedResult;
  rounds: Round[];
}

function note(text: string): void {
  process.stderr.write(`  ${text}\n`);
}

function outcome(ledger: Ledger): Outcome {
  return {
    sent: ledger.sent,
    lost: ledger.lost,
    duplicates: ledger.duplicates,
    errors: ledger.errorCount,
    firstErrors: ledger.errors,
  };
}

function newPhase(bench: Bench): Ledger {
  bench.numbered += bench.phase.sent;
  bench.phase = new Ledger(bench.numbered);
  const phase = bench.phase;
  bench.onAck = () => {
    phase.acked += 1;
  };
  return phase;
}

/** Phase 1: start the server, open the agent and N visitors; server memory per idle socket. */
async function setUp(kind: ServerKind): Promise<Bench> {
  const label = SERVERS[kind].label;
  note(`${label}: starting`);
  const server = await startChild(kind);
  const visitors: Visitor[] = [];
  let agent: AgentConsole | null = null;
  try {
    const target = targetFor(kind, server.port, {
      officialSocketIoClient: options.officialSocketIoClient,
    });
    await target.prepare(options.sockets);
    const bench: Bench = {
      kind,
      label,
      server,
      visitors,
      agent: { close() {} },
      phase: new Ledger(0),
      onAck: () => {},
      numbered: 0,
      idle: { heapPerSocket: 0, rssPerSocket: 0, externalPerSocket: 0, openMs: 0 },
      rounds: [],
    };
    newPhase(bench);
    agent = await target.openAgent((n) => bench.phase.deliver(n));
    bench.agent = agent;
    const before = await server.stats(true);
    const opened = performance.now();
    await inParallel(options.sockets, OPEN_WIDTH, async (i) => {
      visitors[i] = await target.openVisitor(
        i,
        () => bench.onAck(i),
        (error) => bench.phase.error(error),
      );
    });
    const openMs = performance.now() - opened;
    await sleep(200);
    const after = await server.stats(true);
    const perSocket = (key: keyof NodeJS.MemoryUsage) =>
      (after.memory[key] - before.memory[key]) / options.sockets;
    bench.idle = {
      heapPerSocket: perSocket("heapUsed"),
      rssPerSocket: perSocket("rss"),
      externalPerSocket: perSocket("external"),
      openMs,
    };
    note(`${label}: ${options.sockets} sockets open in ${(openMs / 1000).toFixed(1)} s`);
    return bench;
  } catch (error) {
    for (const visitor of visitors) visitor?.close();
    agent?.close();
    await server.stop();
    throw error;
  }
}

/** Phase 2: R msg/s in total, round-robin over all N visitors, for S s. */
async function fixedLoad(bench: Bench): Promise<void> {
  const phase = newPhase(bench);
  const { visitors } = bench;
  const total = Math.max(1, Math.round(options.rate * options.seconds));
  const run = await measured(bench.server, async () => {
    const start = performance.now();
    let cursor = 0;
    await new Promise<void>((done) => {
      const tick = () => {
        const elapsed = (performance.now() - start) / 1000;
        const due = Math.min(total, Math.floor(elapsed * options.rate));
        while (phase.sent < due) {
          const i = cursor++ % visitors.length;
          const n = phase.next();
          visitors[i]!.send(`v${i}-${n}`, messageText(n));
        }
        if (phase.sent >= total) done();
        else setTimeout(tick, 1);
      };
      tick();
    });
    await until(() => phase.settled, DRAIN_MS);
    return {};
  });
  bench.fixed = { ...outcome(phase), latency: phase.percentiles(), sides: run.sides };
  note(
    `${bench.label}: fixed load, ${phase.sent} msgs, p99 ${ms(bench.fixed.latency.p99)}, ` +
      `lost ${phase.lost} (other CPU ${pct(run.sides.otherCpu)})` +
      (disturbed(run.sides) ? " [disturbed]" : ""),
  );
}

/** Phase 3, one round: K senders each keep W messages unacknowledged; msg/s at the agent. */
async function burst(bench: Bench, warmupMs: number, measureMs: number): Promise<void> {
  const phase = newPhase(bench);
  const senders = bench.visitors.slice(0, options.senders);
  let running = true;
  const sendFrom = (i: number) => {
    const n = phase.next();
    senders[i]!.send(`v${i}-${n}`, messageText(n));
  };
  bench.onAck = (i) => {
    phase.acked += 1;
    if (running && i < senders.length) sendFrom(i);
  };
  for (let i = 0; i < senders.length; i++) for (let w = 0; w < options.window; w++) sendFrom(i);
  await sleep(warmupMs);
  const run = await measured(bench.server, async () => {
    const delivered0 = phase.delivered;
    const t0 = performance.now();
    await sleep(measureMs);
    const perSecond = (phase.delivered - delivered0) / ((performance.now() - t0) / 1000);
    return { perSecond, fromSample: delivered0 };
  });
  running = false;
  await until(() => phase.settled, DRAIN_MS);
  const round: Round = {
    ...outcome(phase),
    perSecond: run.perSecond,
    latency: phase.percentiles(run.fromSample),
    sides: run.sides,
  };
  bench.rounds.push(round);
  note(
    `${bench.label}: throughput round ${bench.rounds.length}: ${Math.round(round.perSecond)} msg/s ` +
      `(server CPU ${pct(round.sides.serverCpu)}, loop busy ${pct(round.sides.serverElu * 100)}, ` +
      `generator CPU ${pct(round.sides.generatorCpu)}, loop busy ${pct(round.sides.generatorElu * 100)}; ` +
      `other ${pct(round.sides.otherCpu)})` +
      (disturbed(round.sides) ? " [disturbed]" : ""),
  );
}

async function tearDown(bench: Bench): Promise<void> {
  for (const visitor of bench.visitors) visitor?.close();
  bench.agent.close();
  await bench.server.stop();
}

// ---------------------------------------------------------------------------------------------
// Report.

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const ms = (value: number) => (Number.isNaN(value) ? "-" : `${value.toFixed(2)} ms`);
const pct = (value: number) => `${Math.round(value)}%`;
const kilo = (value: number) => `${(value / 1000).toFixed(1)}k`;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The rounds nothing else on the machine disturbed; all of them when none was spared. */
function quietRounds(bench: Bench): Round[] {
  const quiet = bench.rounds.filter((r) => !disturbed(r.sides));
  return quiet.length ? quiet : bench.rounds;
}

/** The quiet round whose throughput is the median one (the lower middle for an even count). */
function medianRound(bench: Bench): Round {
  const sorted = quietRounds(bench).sort((a, b) => a.perSecond - b.perSecond);
  return sorted[(sorted.length - 1) >> 1]!;
}

const throughputOf = (bench: Bench) => median(quietRounds(bench).map((r) => r.perSecond));

function table(benches: Bench[]): string {
  const fixed = (b: Bench) => b.fixed!;
  const rows: [string, (b: Bench) => string][] = [
    ["idle: heap / socket", (b) => kb(b.idle.heapPerSocket)],
    ["idle: external / socket", (b) => kb(b.idle.externalPerSocket)],
    ["idle: RSS / socket", (b) => kb(b.idle.rssPerSocket)],
    ["idle: open + hello, all", (b) => `${(b.idle.openMs / 1000).toFixed(2)} s`],
    ["fixed: messages", (b) => String(fixed(b).sent)],
    ["fixed: p50 latency", (b) => ms(fixed(b).latency.p50)],
    ["fixed: p95 latency", (b) => ms(fixed(b).latency.p95)],
    ["fixed: p99 latency", (b) => ms(fixed(b).latency.p99)],
    ["fixed: max latency", (b) => ms(fixed(b).latency.max)],
    [
      "fixed: lost / dup / errors",
      (b) => `${fixed(b).lost} / ${fixed(b).duplicates} / ${fixed(b).errors}`,
    ],
    ["fixed: server CPU", (b) => pct(fixed(b).sides.serverCpu)],
    ["throughput: msg/s (median)", (b) => String(Math.round(throughputOf(b)))],
    ["throughput: p50 latency", (b) => ms(medianRound(b).latency.p50)],
    ["throughput: p99 latency", (b) => ms(medianRound(b).latency.p99)],
    [
      "throughput: lost / dup / err",
      (b) => {
        const sum = (key: "lost" | "duplicates" | "errors") =>
          b.rounds.reduce((total, r) => total + r[key], 0);
        return `${sum("lost")} / ${sum("duplicates")} / ${sum("errors")}`;
      },
    ],
    ["throughput: server CPU", (b) => pct(medianRound(b).sides.serverCpu)],
    ["throughput: server loop busy", (b) => pct(medianRound(b).sides.serverElu * 100)],
    ["throughput: generator CPU", (b) => pct(medianRound(b).sides.generatorCpu)],
    ["throughput: other CPU", (b) => pct(medianRound(b).sides.otherCpu)],
  ];
  const head = ["", ...benches.map((b) => b.label)];
  const body = rows.map(([name, cell]) => [name, ...benches.map(cell)]);
  const widths = head.map((_, c) => Math.max(...[head, ...body].map((row) => row[c]!.length)));
  const line = (row: string[]) =>
    row
      .map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)))
      .join("   ");
  return [line(head), ...body.map(line)].join("\n");
}

function warnings(benches: Bench[]): string[] {
  const lines: string[] = [];
  for (const b of benches) {
    const phases: [string, Outcome][] = [
      ["fixed load", b.fixed!],
      ...b.rounds.map((r, i): [string, Outcome] => [`throughput round ${i + 1}`, r]),
    ];
    for (const [phase, result] of phases) {
      if (result.lost || result.duplicates || result.errors) {
        lines.push(
          `! ${b.label} ${phase}: ${result.lost} lost, ${result.duplicates} duplicated, ` +
            `${result.errors} errors ${result.firstErrors.join(" | ")}`,
        );
      }
    }
    const round = medianRound(b);
    if (round.sides.generatorCpu > 90) {
      lines.push(
        `! ${b.label}: the generator used ${pct(round.sides.generatorCpu)} of a core; ` +
          "the throughput may be the generator's limit, not the server's",
      );
    }
    if (disturbed(b.fixed!.sides)) {
      lines.push(
        `! ${b.label}: other work on the machine took CPU during the fixed load ` +
          `(${pct(b.fixed!.sides.otherCpu)} of a core); its latencies are pessimistic`,
      );
    }
    const noisy = b.rounds.filter((r) => disturbed(r.sides)).length;
    if (noisy === b.rounds.length) {
      lines.push(
        `! ${b.label}: every throughput round was disturbed by other work on the machine ` +
          "(see the per-round lines); its numbers are low: rerun on a quiet machine",
      );
    } else if (noisy) {
      lines.push(
        `  (${b.label}: ${noisy} of ${b.rounds.length} throughput rounds disturbed by other work ` +
          "on the machine, left out of the median)",
      );
    }
  }
  return lines;
}

async function main(): Promise<void> {
  const started = performance.now();
  if (options.redis) redis = await startRedisServer();
  const cpuModel = cpus()[0]?.model.trim() ?? "unknown CPU";
  const roundMs = (options.seconds * 1000) / options.rounds;
  console.log(
    `omnithread bench: Node ${process.version}, ${availableParallelism()} cores (${cpuModel}), ` +
      `store ${options.redis ? "redis" : "memory"}`,
  );
  console.log(
    `  ${options.sockets} sockets; fixed load ${options.rate} msg/s for ${options.seconds} s; ` +
      `throughput ${options.senders} senders × ${options.window} in flight, ` +
      `${options.rounds} interleaved rounds of ${(roundMs / 1000).toFixed(1)} s ` +
      `(warm-up ${options.warmup} s, then ${ROUND_WARMUP_MS / 1000} s)`,
  );
  const benches: Bench[] = [];
  try {
    // Phases 1 and 2, one server at a time; the others sit idle with their sockets open.
    for (const kind of kinds) {
      const bench = await setUp(kind);
      benches.push(bench);
      await fixedLoad(bench);
    }
    // Phase 3 interleaved (A B C A B C …), so a disturbance on the machine hits one round of
    // one server, and the median round shrugs it off.
    for (let round = 0; round < options.rounds; round++) {
      for (const bench of benches) {
        await burst(bench, round === 0 ? options.warmup * 1000 : ROUND_WARMUP_MS, roundMs);
      }
    }
  } finally {
    await Promise.all(benches.map(tearDown));
  }

  console.log(`\n${table(benches)}\n`);
  console.log("throughput rounds, msg/s (* = disturbed by other work, left out of the median):");
  const width = Math.max(...benches.map((b) => b.label.length));
  for (const b of benches) {
    const rounds = b.rounds.map((r) => `${kilo(r.perSecond)}${disturbed(r.sides) ? "*" : ""}`);
    console.log(`  ${b.label.padEnd(width)}  ${rounds.join("  ")}`);
  }
  console.log("");
  for (const line of warnings(benches)) console.log(line);
  const by = (kind: ServerKind) => {
    const bench = benches.find((b) => b.kind === kind);
    return bench ? throughputOf(bench) : undefined;
  };
  const best = (kind: ServerKind) => {
    const bench = benches.find((b) => b.kind === kind);
    return bench ? Math.max(...bench.rounds.map((r) => r.perSecond)) : Number.NaN;
  };
  const ours = by("omnithread");
  const ws = by("ws-relay");
  const sio = by("socketio-relay");
  if (ours !== undefined && ws !== undefined) {
    const ratio = ours / ws;
    console.log(
      `omnithread / bare ws throughput:   ${ratio.toFixed(2)}×  ` +
        `(docs/architecture.md §8 bar ≥ 0.70×: ${ratio >= 0.7 ? "met" : "NOT met"}; ` +
        `best rounds: ${(best("omnithread") / best("ws-relay")).toFixed(2)}×)`,
    );
  }
  if (ours !== undefined && sio !== undefined) {
    const ratio = ours / sio;
    console.log(
      `omnithread / Socket.IO throughput: ${ratio.toFixed(2)}×  ` +
        `(docs/architecture.md §8 bar > 1×: ${ratio > 1 ? "met" : "NOT met"}; ` +
        `best rounds: ${(best("omnithread") / best("socketio-relay")).toFixed(2)}×)`,
    );
  }
  const clean = benches.every(
    (b) =>
      b.fixed!.lost === 0 &&
      b.fixed!.duplicates === 0 &&
      b.rounds.every((r) => r.lost === 0 && r.duplicates === 0),
  );
  console.log(`lost or duplicated messages: ${clean ? "none" : "SOME (see above)"}`);
  if (profileDir) {
    console.log(
      `CPU profiles of the server children (the largest file in each folder is the main thread): ${profileDir}`,
    );
  }
  console.log(`(bench took ${((performance.now() - started) / 1000).toFixed(0)} s)`);
}

try {
  await main();
} catch (error) {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
} finally {
  killChildren();
  await stopRedis();
}
