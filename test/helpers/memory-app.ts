import { readFileSync } from "node:fs";
import { type AppDeps, createApp } from "../../server/app.ts";
import { generateKeyRingConfig, loadKeyRing } from "../../server/auth/keys.ts";
import { loadConfig } from "../../server/config.ts";
import { silentLogger } from "../../server/log.ts";
import { memoryStore } from "../../server/store/memory.ts";

/**
 * The app in-process on the demo sites file, a memory store and a fresh key ring: for unit tests
 * that need the real services without a listening server. `deps` adds or replaces parts.
 */
export async function memoryApp(deps: Partial<AppDeps> = {}) {
  const config = loadConfig({ PORT: "8787" }, readFileSync("demo/sites.json", "utf8"));
  return createApp({
    config,
    store: memoryStore(),
    keyRing: await loadKeyRing(await generateKeyRingConfig()),
    log: silentLogger,
    ...deps,
  });
}
