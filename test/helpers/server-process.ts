import { spawn } from "node:child_process";
import { once } from "node:events";
import { testKeys } from "./omnithread.ts";

/**
 * A real server in a Node process of its own (the demo sites file, a free loopback port), for
 * tests that change this process's globals: a DOM environment, or a platform without
 * `Response.prototype.body`. Same key ring as {@link startTestServer}.
 */
export async function startServerProcess(): Promise<{ url: string; stop(): void }> {
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "--input-type=module",
      "-e",
      `import { startServer } from "./server/node.ts";
       import { silentLogger } from "./server/log.ts";
       const env = { PORT: "0", HOST: "127.0.0.1", OMNITHREAD_KEYS: process.env.TEST_KEYS };
       const limits = { startPerIp: { limit: 1000, windowMs: 60000 } };
       const server = await startServer({ env, limits, log: silentLogger });
       console.log(server.url);`,
    ],
    { env: { ...process.env, TEST_KEYS: await testKeys }, stdio: ["ignore", "pipe", "inherit"] },
  );
  const [line] = (await once(child.stdout!, "data")) as [Buffer];
  return { url: line.toString().trim(), stop: () => void child.kill() };
}
