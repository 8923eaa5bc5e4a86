/**
 * `omnithread/server`: the parts to embed omnithread in a Hono app of your own, on any runtime
 * with Web APIs (Node, workerd, Deno, Bun). Node's ready-made server with WebSockets, TCP Redis and
 * SMTP is `omnithread/server/node`; the `omnithread` command runs it.
 *
 * @example
 * import { createApp, generateKeyRingConfig, loadConfig, loadKeyRing, memoryStore, serverChannels } from "omnithread/server";
 * const config = loadConfig(env, sitesJson);
 * const keyRing = await loadKeyRing(await generateKeyRingConfig());
 * const { channels } = serverChannels(config, {});
 * const { app } = createApp({ config, store: memoryStore(), keyRing, channels });
 * export default { fetch: app.fetch };
 */
export { type AppDeps, createApp, type OmnithreadApp } from "./app.ts";
export { type ApiKeyEntry, generateApiKey, hashApiKey } from "./auth/api-keys.ts";
export {
  generateKeyRingConfig,
  type KeyRing,
  type KeyRingConfig,
  loadKeyRing,
} from "./auth/keys.ts";
export { hashPassword, verifyPassword } from "./auth/passwords.ts";
export { httpMailTransport, type ServerChannels, serverChannels } from "./channels/index.ts";
export type { Channel } from "./channels/types.ts";
export { type Config, ConfigError, type Env, loadConfig, type SiteConfig } from "./config.ts";
export { STATUS_OF } from "./errors.ts";
export { createLogger, type Logger, type LogScope, silentLogger } from "./log.ts";
export { memoryStore } from "./store/memory.ts";
export { redisStore } from "./store/redis.ts";
export type { RedisDriver } from "./store/redis-driver.ts";
export { upstashDriver } from "./store/redis-upstash.ts";
export type { Store } from "./store/types.ts";
