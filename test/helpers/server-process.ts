import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { testKeys } from "./omnithread.ts";

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** SIGTERM, or `SIGKILL` for an instance that dies mid-work. */
  stop(signal?: NodeJS.Signals): void;
}

/**
 * A real server in a Node process of its own (the demo sites file unless `env` says otherwise,
 * a free loopback port), for tests that change this process's globals (a DOM environment, a
 * platform without `Response.prototype.body`) or kill an instance outright. Same key ring as
 * {@link startTestServer}. `options` are JSON start options (webhook timings, say).
 */
export async function startServerProcess(
  env: Record<string, string> = {},
  options: Record<string, unknown> = {},
): Promise<ServerProcess> {
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "--input-type=module",
      "-e",
      `import { startServer } from "./server/node.ts";
       import { silentLogger } from "./server/log.ts";
       const env = { PORT: "0", HOST: "127.0.0.1", OMNITHREAD_KEYS: process.env.TEST_KEYS,
         ...JSON.parse(process.env.TEST_ENV) };
       const limits = { startPerIp: { limit: 1000, windowMs: 60000 } };
       const options = JSON.parse(process.env.TEST_OPTIONS);
       const server = await startServer({ env, limits, log: silentLogger, ...options });
       console.log(server.url);`,
    ],
    {
      env: {
        ...process.env,
        TEST_KEYS: await testKeys,
        TEST_ENV: JSON.stringify(env),
        TEST_OPTIONS: JSON.stringify(options),
      },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  const [line] = (await once(child.stdout!, "data")) as [Buffer];
  return { url: line.toString().trim(), child, stop: (signal) => void child.kill(signal) };
}
