/**
 * The deploy kit: Dockerfile, compose.yaml and wrangler.toml. No Docker engine runs on the
 * machines this suite runs on, so what an engine would do is done by hand: the files are
 * parsed and checked against the code they deploy, Redis runs with compose's own command line,
 * and the image's runtime stage is replayed on a built tree (its COPY and RUN steps into a
 * temp dir, its CMD started there, its HEALTHCHECK polled).
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { basename, dirname, join, posix, relative } from "node:path";
import { promisify } from "node:util";
import { parse as parseToml } from "smol-toml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { generateKeyRingConfig } from "../../server/auth/keys.ts";
import { hashPassword } from "../../server/auth/passwords.ts";
import { loadConfig } from "../../server/config.ts";
import { edgeSetup } from "../../server/worker/setup.ts";
import { WORKER_SCRIPT } from "../helpers/edge-worker.ts";
import { type RedisServerHandle, startRedisServer } from "../helpers/redis-server.ts";
import {
  durationMs,
  envReads,
  healthcheck,
  importGraph,
  last,
  parseDockerfile,
  type Stage,
  stageEnv,
  stages,
  wranglerComments,
} from "./parse.ts";

const run = promisify(execFile);

// ---- the files, parsed once ----

interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[] | string;
  environment?: Record<string, string>;
  volumes?: string[];
  ports?: string[];
  depends_on?: Record<string, { condition?: string }>;
  healthcheck?: { test: string[] };
}
const compose = parseYaml(readFileSync("compose.yaml", "utf8"), { merge: true }) as {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
};
const dockerStages = stages(parseDockerfile(readFileSync("Dockerfile", "utf8")));
const runtime = dockerStages.at(-1)!;
const wranglerText = readFileSync("wrangler.toml", "utf8");
const wrangler = parseToml(wranglerText) as Record<string, unknown> & {
  main?: string;
  compatibility_date?: string;
  vars?: Record<string, string>;
  assets?: Record<string, unknown>;
  triggers?: { crons?: string[] };
};
const EXAMPLE_SITES = "deploy/sites.example.json";
const PLACEHOLDER = /^REPLACE\b/;

/** The omnithread services: those built from this repository (Redis is an image of its own). */
const omnithreadServices = Object.entries(compose.services).filter(([, s]) => s.build);
const redisService = Object.entries(compose.services).find(([, s]) =>
  s.image?.startsWith("redis:"),
);

/** Compose's `${NAME:-default}` with nothing set: the default. */
function interpolate(value: string): string {
  return value.replace(/\$\{([A-Z_][A-Z0-9_]*)(?::?-([^}]*))?\}/g, (_, _name, fallback) =>
    String(fallback ?? ""),
  );
}

function argv(command: ComposeService["command"]): string[] {
  if (Array.isArray(command)) return command.map(String);
  return (command ?? "").split(/\s+/).filter(Boolean);
}

/** `--name value` pairs of a command line. */
function option(args: string[], name: string): string | undefined {
  const at = args.indexOf(name);
  return at === -1 ? undefined : args[at + 1];
}

/** The example sites file with each placeholder password hash made real. */
async function exampleSites(password: string): Promise<string> {
  const sites = JSON.parse(readFileSync(EXAMPLE_SITES, "utf8")) as {
    sites: Array<{ agents: Array<{ passwordHash: string }> }>;
  };
  const hash = await hashPassword(password, { N: 1024 });
  for (const site of sites.sites) {
    for (const agent of site.agents) {
      if (PLACEHOLDER.test(agent.passwordHash)) agent.passwordHash = hash;
    }
  }
  return JSON.stringify(sites);
}

// ---- Dockerfile ----

describe("the Dockerfile", () => {
  it("builds in one stage and runs from another, on Node 20", () => {
    expect(dockerStages.length).toBeGreaterThanOrEqual(2);
    expect(runtime.image).toMatch(/^node:20(-slim|-alpine)?$/);
    const build = dockerStages[0]!;
    const runs = build.instructions.filter((i) => i.keyword === "RUN").map((i) => i.args);
    expect(runs).toContainEqual(expect.stringMatching(/^npm ci\b/));
    expect(runs).toContainEqual(expect.stringMatching(/^npm run build$/));
  });

  it("installs production dependencies only in the runtime stage, and copies built files", () => {
    const runs = runtime.instructions.filter((i) => i.keyword === "RUN").map((i) => i.args);
    expect(runs).toContainEqual(expect.stringMatching(/^npm ci .*--omit=dev --omit=optional/));
    // --omit=optional drops only optional peers (TypeScript, for valibot): no runtime package
    // may be optional, or the image would lose it.
    const locked = JSON.parse(readFileSync("package-lock.json", "utf8")) as {
      packages: Record<string, { optional?: boolean; dev?: boolean }>;
    };
    const optionalAtRuntime = Object.entries(locked.packages)
      .filter(([, entry]) => entry.optional && !entry.dev)
      .map(([path]) => path);
    expect(optionalAtRuntime).toEqual([]);
    const copies = runtime.instructions.filter((i) => i.keyword === "COPY");
    const sources = copies.flatMap((c) => (c.exec ?? c.args.split(/\s+/)).slice(0, -1));
    // Built JavaScript and the package's files; never the TypeScript sources.
    for (const source of sources) {
      expect(source).toMatch(/(^|\/)(dist|demo|package(-lock)?\.json|LICENSE|README\.md)$/);
    }
    expect(sources.some((s) => s.endsWith("dist"))).toBe(true);
  });

  it("runs as a user that is not root, in production mode, on port 8787", () => {
    const user = last(runtime, "USER")?.args;
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^(root|0)(:|$)/);
    const env = stageEnv(runtime);
    expect(env.NODE_ENV).toBe("production");
    expect(env.HOST).toBe("0.0.0.0"); // reachable through the published port
    expect(last(runtime, "EXPOSE")?.args).toBe(env.PORT ?? "8787");
  });

  it("starts `node dist/server/cli.js start` in exec form (SIGTERM reaches node)", () => {
    expect(last(runtime, "CMD")?.exec).toEqual(["node", "dist/server/cli.js", "start"]);
  });

  it("checks health with node itself against /ready", () => {
    const { command, flags } = healthcheck(runtime);
    expect(command[0]).toBe("node");
    expect(command.join(" ")).toContain("/ready");
    expect(durationMs(flags.timeout ?? "30s")).toBeGreaterThan(1_000); // /ready waits up to 1 s
  });

  it("keeps dependencies, build output, data and the deploy secrets out of the build context", () => {
    const ignored = readFileSync(".dockerignore", "utf8")
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith("#"));
    for (const entry of ["node_modules", "dist", ".git", ".omnithread", "deploy/keys.json"]) {
      expect(ignored).toContain(entry);
    }
  });
});

// ---- compose.yaml ----

describe("compose.yaml", () => {
  it("runs two omnithread instances on their own host ports, with one image, config and key ring", () => {
    expect(omnithreadServices).toHaveLength(2);
    const [[, a], [, b]] = omnithreadServices as [
      [string, ComposeService],
      [string, ComposeService],
    ];
    const hostPort = (s: ComposeService) => s.ports?.map((p) => p.split(":")[0]);
    expect(hostPort(a)).toHaveLength(1);
    expect(hostPort(a)).not.toEqual(hostPort(b));
    for (const s of [a, b]) expect(s.ports![0]!.split(":").at(-1)).toBe("8787");
    expect(a.image).toBe(b.image);
    expect(a.environment).toEqual(b.environment);
    expect(a.volumes).toEqual(b.volumes);
  });

  it("configures production from mounted, read-only files that the example documents", () => {
    for (const [name, service] of omnithreadServices) {
      const env = service.environment ?? {};
      expect(env.OMNITHREAD_STORE, name).toBe("redis");
      expect(env.REDIS_URL, name).toBe(`redis://${redisService?.[0]}:6379`);
      for (const variable of ["OMNITHREAD_SITES", "OMNITHREAD_KEYS"]) {
        const mount = service.volumes?.find((v) => v.split(":")[1] === env[variable]);
        expect(mount, `${name}: ${variable} is a mounted file`).toBeDefined();
        expect(mount!.split(":")[2], `${name}: ${variable} is mounted read-only`).toBe("ro");
      }
    }
    const sitesMount = omnithreadServices[0]![1].volumes!.find(
      (v) => v.split(":")[1] === omnithreadServices[0]![1].environment!.OMNITHREAD_SITES,
    )!;
    // The mounted file is the operator's copy of the example, next to it.
    expect(posix.dirname(sitesMount.split(":")[0]!)).toBe(`./${posix.dirname(EXAMPLE_SITES)}`);
    expect(existsSync(EXAMPLE_SITES)).toBe(true);
    // Their own copies stay out of git (the key ring is a secret).
    const gitignore = readFileSync(".gitignore", "utf8").split("\n");
    expect(gitignore).toEqual(expect.arrayContaining(["deploy/sites.json", "deploy/keys.json"]));
  });

  it("starts omnithread once Redis is healthy, and checks it with the image's HEALTHCHECK", () => {
    const { command } = healthcheck(runtime);
    for (const [name, service] of omnithreadServices) {
      expect(service.depends_on?.[redisService![0]]?.condition, name).toBe("service_healthy");
      expect(service.healthcheck?.test, name).toEqual(["CMD", ...command]);
    }
  });

  it("runs Redis 7 durably (appendonly yes, noeviction) on a volume, checked by redis-cli ping", () => {
    expect(redisService).toBeDefined();
    const [, redis] = redisService!;
    expect(redis.image).toMatch(/^redis:7/);
    const args = argv(redis.command);
    expect(args[0]).toBe("redis-server");
    expect(option(args, "--appendonly")).toBe("yes");
    expect(option(args, "--maxmemory-policy")).toBe("noeviction");
    const data = redis.volumes?.find((v) => v.split(":")[1] === "/data");
    expect(data).toBeDefined();
    expect(Object.keys(compose.volumes ?? {})).toContain(data!.split(":")[0]);
    expect(redis.healthcheck?.test).toEqual(["CMD", "redis-cli", "ping"]);
    expect(redis.ports, "Redis is not published on the host").toBeUndefined();
  });

  describe("Redis, started with compose's own command line", () => {
    let redis: RedisServerHandle;
    beforeAll(async () => {
      redis = await startRedisServer({ args: argv(redisService![1].command).slice(1) });
    });
    afterAll(() => redis?.stop());

    it("takes every argument, and keeps appendonly and noeviction", async () => {
      const get = async (name: string) =>
        (await run("redis-cli", ["-p", String(redis.port), "config", "get", name])).stdout
          .trim()
          .split("\n");
      expect(await get("appendonly")).toEqual(["appendonly", "yes"]);
      expect(await get("maxmemory-policy")).toEqual(["maxmemory-policy", "noeviction"]);
    });

    it("answers compose's healthcheck", async () => {
      const [binary, ...rest] = redisService![1].healthcheck!.test.slice(1);
      const { stdout } = await run(binary!, ["-p", String(redis.port), ...rest]);
      expect(stdout.trim()).toBe("PONG");
    });
  });
});

// ---- the sites example ----

describe("deploy/sites.example.json", () => {
  const example = () => JSON.parse(readFileSync(EXAMPLE_SITES, "utf8"));
  const demo = JSON.parse(readFileSync("demo/sites.json", "utf8"));

  it("is neither the demo site nor its published password", () => {
    const demoIds = demo.sites.map((s: { id: string }) => s.id);
    const demoHashes = demo.sites.flatMap((s: { agents: { passwordHash: string }[] }) =>
      s.agents.map((a) => a.passwordHash),
    );
    for (const site of example().sites) {
      expect(demoIds).not.toContain(site.id);
      for (const agent of site.agents) expect(demoHashes).not.toContain(agent.passwordHash);
    }
  });

  it("is refused as it is (the password hash is a placeholder), naming the field", () => {
    expect(example().sites[0].agents[0].passwordHash).toMatch(PLACEHOLDER);
    expect(() => loadConfig({}, readFileSync(EXAMPLE_SITES, "utf8"))).toThrow(
      /sites\[0\]\.agents\[0\]\.passwordHash/,
    );
  });

  it("is a valid sites file once the hash is made", async () => {
    const config = loadConfig({}, await exampleSites("a long passphrase"));
    expect(config.sites).toHaveLength(1);
  });
});

// ---- wrangler.toml ----

/** The names wrangler.toml binds as something other than text (assets, Durable Objects …). */
function objectBindings(config: Record<string, unknown>): string[] {
  const names: string[] = [];
  const take = (value: unknown, key: string) => {
    for (const item of Array.isArray(value) ? value : value ? [value] : []) {
      const name = (item as Record<string, unknown>)[key];
      if (typeof name === "string") names.push(name);
    }
  };
  take(config.assets, "binding");
  take((config.durable_objects as { bindings?: unknown })?.bindings, "name");
  take((config.queues as { producers?: unknown })?.producers, "binding");
  take(config.send_email, "name");
  for (const table of [
    "kv_namespaces",
    "r2_buckets",
    "d1_databases",
    "services",
    "analytics_engine_datasets",
    "hyperdrive",
    "vectorize",
    "ai",
    "browser",
  ]) {
    take(config[table], "binding");
  }
  return names;
}

describe("wrangler.toml", () => {
  const comments = wranglerComments(wranglerText);
  const vars = Object.keys(wrangler.vars ?? {});
  /** What the worker bundle reads: every module server/worker.ts reaches. */
  const reads = envReads(importGraph("server/worker.ts"));

  it("declares every variable and binding the worker reads", () => {
    expect(reads.has("PUBLIC_URL")).toBe(true); // the scan finds reads at all
    expect(reads.has("ASSETS")).toBe(true);
    const declared = new Set([
      ...vars,
      ...comments.optionalVars,
      ...comments.secrets,
      ...comments.notOnEdge,
      ...comments.optionalBindings,
      ...objectBindings(wrangler),
    ]);
    const missing = [...reads].filter(([name]) => !declared.has(name));
    expect(
      missing.map(([name, files]) => `${name} (read in ${files.map((f) => relative(".", f))})`),
    ).toEqual([]);
  });

  it("names nothing the worker does not read", () => {
    const stale = [...vars, ...comments.optionalVars, ...comments.secrets, ...comments.notOnEdge];
    expect(stale.filter((name) => !reads.has(name))).toEqual([]);
  });

  it("keeps secrets out of [vars], and sets nothing there the edge refuses", () => {
    for (const name of [...comments.secrets, ...comments.notOnEdge]) {
      expect(vars, name).not.toContain(name);
      expect(comments.optionalVars, name).not.toContain(name);
    }
    // The JSON configuration and anything called a token, secret or key is a secret.
    for (const name of vars) expect(name).not.toMatch(/TOKEN|SECRET|KEY|SITES/);
    expect(comments.secrets).toEqual(
      expect.arrayContaining(["OMNITHREAD_SITES", "OMNITHREAD_KEYS", "UPSTASH_REDIS_REST_TOKEN"]),
    );
  });

  it("is refused as it is (placeholders), and runs once they and the secrets are given", async () => {
    expect(() => edgeSetup(wrangler.vars ?? {})).toThrow(/PUBLIC_URL|UPSTASH_REDIS_REST_URL/);
    const secrets = {
      OMNITHREAD_SITES: await exampleSites("a long passphrase"),
      OMNITHREAD_KEYS: JSON.stringify(await generateKeyRingConfig()),
      UPSTASH_REDIS_REST_TOKEN: "token",
    };
    const filled = Object.fromEntries(
      Object.entries(wrangler.vars ?? {}).map(([name, value]) => [
        name,
        value.includes("<") ? `https://${name.toLowerCase().replaceAll("_", "-")}.example` : value,
      ]),
    );
    const setup = edgeSetup({ ...filled, ...secrets });
    expect(setup.config.store).toHaveProperty("upstash");
  });

  it("deploys the bundle the build makes, under the compatibility date the tests use", () => {
    expect(wrangler.main).toBe(WORKER_SCRIPT);
    const helper = readFileSync("test/helpers/edge-worker.ts", "utf8");
    expect(helper).toContain(`compatibilityDate: "${wrangler.compatibility_date}"`);
  });

  it("binds the built assets as ASSETS, the worker in front of them", () => {
    const helper = readFileSync("test/helpers/edge-worker.ts", "utf8");
    expect(helper).toContain(`ASSETS_DIR = "${wrangler.assets?.directory}"`);
    expect(wrangler.assets).toMatchObject({
      binding: "ASSETS",
      run_worker_first: true,
      html_handling: "none",
      not_found_handling: "none",
    });
  });

  it("holds every path the worker serves from ASSETS (after npm run build:worker)", () => {
    const directory = String(wrangler.assets?.directory);
    // The global setup builds the worker; each asset route's file or folder must be there.
    const routes = readFileSync("server/worker/assets.ts", "utf8").matchAll(
      /routes\.get\(\s*"([^"]+)",(?:(?!routes\.get)[\s\S])*?serve\(/g,
    );
    const paths = [...routes].map(([, path]) => path!.replace(/\/\*$/, ""));
    expect(paths).toContain("/widget-locales");
    for (const path of paths) expect(existsSync(join(directory, path)), path).toBe(true);
  });

  it("runs the scheduled handler every minute", () => {
    const crons = wrangler.triggers?.crons ?? [];
    expect(crons.some((cron) => /^(\*|\*\/1) \* \* \* \*$/.test(cron.trim()))).toBe(true);
  });
});

// ---- the image's command lines, by hand on a built tree ----

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Replays the runtime stage's COPY and RUN steps into `root` (its WORKDIR): sources from the
 * build stage are this built tree (the build stage copies the repository to its WORKDIR), and
 * `npm ci` runs offline from this machine's cache.
 */
async function replayRuntimeStage(stage: Stage, build: Stage, root: string): Promise<string[]> {
  const buildDir = last(build, "WORKDIR")?.args ?? "/";
  const workdir = last(stage, "WORKDIR")?.args ?? "/";
  const local = (path: string, base: string) =>
    relative(base, posix.isAbsolute(path) ? path : posix.join(base, path));
  const notRun: string[] = [];
  for (const instruction of stage.instructions) {
    if (instruction.keyword === "COPY") {
      const parts = instruction.exec ?? instruction.args.split(/\s+/);
      const destination = parts.at(-1)!;
      const sources = parts.slice(0, -1);
      const into = join(root, local(destination, workdir));
      for (const source of sources) {
        const from = instruction.flags.from ? local(source, buildDir) : source;
        if (!existsSync(from)) throw new Error(`COPY: ${from} is not in the built tree`);
        // A folder copies its contents; a file goes into a destination ending in "/" or ".".
        const intoFolder = sources.length > 1 || /(^|\/)\.?$|\/$/.test(destination);
        const target = statSync(from).isFile() && intoFolder ? join(into, basename(from)) : into;
        mkdirSync(dirname(target), { recursive: true });
        cpSync(from, target, { recursive: true });
      }
    } else if (instruction.keyword === "RUN") {
      for (const step of instruction.args.split("&&").map((s) => s.trim())) {
        const [command, ...args] = step.split(/\s+/);
        if (command === "npm" && args[0] === "ci") {
          await run("npm", [...args, "--offline"], { cwd: root });
        } else if (command === "mkdir") {
          for (const dir of args.filter((a) => !a.startsWith("-"))) {
            mkdirSync(join(root, local(dir, workdir)), { recursive: true });
          }
        } else if (step === "npm cache clean --force" || command === "chown") {
          notRun.push(step); // this machine's npm cache and users are not the image's
        } else {
          throw new Error(`the runtime stage runs "${step}": teach this test what it does`);
        }
      }
    }
  }
  return notRun;
}

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

describe("the image's runtime stage, run by hand", () => {
  const { command: check, flags: checkFlags } = healthcheck(runtime);
  const cmd = last(runtime, "CMD")!.exec!;
  const [service] = omnithreadServices[0]!;
  let root: string;
  let redis: RedisServerHandle;
  let server: ChildProcess;
  let exited: Promise<Exit>;
  let output = "";
  let env: NodeJS.ProcessEnv;
  let port: number;

  /** The HEALTHCHECK's command, with its timeout: its exit code. */
  function runCheck(): Promise<number> {
    return new Promise((resolve) => {
      const child = spawn(check[0]!, check.slice(1), { cwd: root, env, stdio: "ignore" });
      const timer = setTimeout(
        () => child.kill("SIGKILL"),
        durationMs(checkFlags.timeout ?? "30s"),
      );
      child.once("exit", (code) => {
        clearTimeout(timer);
        resolve(code ?? 1);
      });
    });
  }

  async function checkUntil(expected: number, withinMs: number): Promise<void> {
    const deadline = Date.now() + withinMs;
    let code = await runCheck();
    while (code !== expected && Date.now() < deadline) {
      await sleep(200);
      code = await runCheck();
    }
    expect(code, `HEALTHCHECK exit code\n${output}`).toBe(expected);
  }

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "omnithread-image-"));
    const notRun = await replayRuntimeStage(runtime, dockerStages[0]!, root);
    expect(notRun.every((step) => /^(npm cache clean|chown)\b/.test(step))).toBe(true);

    // Redis as compose runs it; the config files where compose mounts them from.
    redis = await startRedisServer({ args: argv(redisService![1].command).slice(1) });
    const config = join(root, "..", `${basename(root)}-config`);
    mkdirSync(config, { recursive: true });
    const files: Record<string, string> = {
      sites: await exampleSites("a long passphrase"),
      keys: JSON.stringify(await generateKeyRingConfig()),
    };
    const mounted = new Map<string, string>();
    for (const volume of compose.services[service]!.volumes ?? []) {
      const [source = "", target = ""] = volume.split(":");
      const kind = Object.keys(files).find((k) => basename(source) === `${k}.json`);
      if (!kind) continue;
      writeFileSync(join(config, `${kind}.json`), files[kind]!);
      mounted.set(target, join(config, `${kind}.json`));
    }

    port = await freePort();
    const composeEnv = Object.fromEntries(
      Object.entries(compose.services[service]!.environment ?? {}).map(([name, value]) => {
        const text = interpolate(String(value));
        if (mounted.has(text)) return [name, mounted.get(text)];
        if (name === "REDIS_URL") return [name, redis.url];
        return [name, text];
      }),
    );
    env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      ...stageEnv(runtime),
      ...composeEnv,
      // The container's port and address, on a free loopback port here.
      PORT: String(port),
      HOST: "127.0.0.1",
    };
    server = spawn(cmd[0]!, cmd.slice(1), { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString("utf8")).slice(-20_000);
    };
    server.stdout!.on("data", keep);
    server.stderr!.on("data", keep);
    exited = new Promise((resolve) =>
      server.once("exit", (code, signal) => resolve({ code, signal })),
    );
  }, 120_000);

  afterAll(async () => {
    if (server && server.exitCode === null && server.signalCode === null) server.kill("SIGKILL");
    await redis?.stop();
    if (root) {
      await rm(root, { recursive: true, force: true });
      await rm(join(root, "..", `${basename(root)}-config`), { recursive: true, force: true });
    }
  });

  it("installs production dependencies only", () => {
    for (const dev of ["typescript", "vite", "vitest", "tsx"]) {
      expect(existsSync(join(root, "node_modules", dev)), dev).toBe(false);
    }
  });

  it("becomes healthy: the HEALTHCHECK passes and /ready answers 200", async () => {
    await checkUntil(0, 20_000);
    const ready = await fetch(`http://127.0.0.1:${port}/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: "ready" });
  }, 30_000);

  it("turns unhealthy when Redis stops (503 store_unavailable), and healthy when it is back", async () => {
    await checkUntil(0, 10_000);
    await stopRedisProcess(redis);
    await checkUntil(1, 10_000);
    const ready = await fetch(`http://127.0.0.1:${port}/ready`);
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { error: { code: string } }).error.code).toBe(
      "store_unavailable",
    );
    await redis.restart(); // the same port and data
    await checkUntil(0, 15_000);
  }, 60_000);

  it("exits cleanly on SIGTERM", async () => {
    server.kill("SIGTERM");
    const exit = await Promise.race([
      exited,
      sleep(15_000).then(() => ({ code: null, signal: null, timedOut: true })),
    ]);
    expect(exit, output).toEqual({ code: 0, signal: null });
  }, 20_000);
});

/** Stops the redis-server process only (`restart()` starts it again on the same port and dir). */
async function stopRedisProcess(redis: RedisServerHandle): Promise<void> {
  await run("redis-cli", ["-p", String(redis.port), "shutdown", "nosave"]).catch(() => undefined);
  const deadline = Date.now() + 5_000;
  while (Date.now() < deadline) {
    const answer = await run("redis-cli", ["-p", String(redis.port), "ping"]).catch(() => null);
    if (!answer?.stdout.includes("PONG")) return;
    await sleep(50);
  }
  throw new Error("redis-server did not stop");
}
