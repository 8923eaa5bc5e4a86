/**
 * Benchmark child: omnithread itself (memory store, or Redis when REDIS_URL is set), with rate
 * limits opened wide so the benchmark measures relaying, not refusals.
 *
 * Run alone: `npx tsx test/bench/serve-omnithread.ts` (prints `{"server":…,"port":…}`).
 */
import { generateKeyRingConfig } from "../../server/auth/keys.ts";
import { silentLogger } from "../../server/log.ts";
import { startServer } from "../../server/node.ts";
import { runServerChild } from "./child.ts";

const OPEN = { limit: 1e9, windowMs: 1000 };

await runServerChild("omnithread", async () => {
  const redisUrl = process.env.BENCH_REDIS_URL;
  const server = await startServer({
    env: {
      PORT: "0",
      HOST: "127.0.0.1",
      OMNITHREAD_KEYS: JSON.stringify(await generateKeyRingConfig()),
      ...(redisUrl ? { OMNITHREAD_STORE: "redis", REDIS_URL: redisUrl } : {}),
    },
    log: silentLogger,
    limits: {
      messagesPerConversation: OPEN,
      startPerIp: OPEN,
      requestsPerIp: OPEN,
      loginPerIp: OPEN,
    },
  });
  return { port: server.port, stop: () => server.stop() };
});
