// The server's embeddable parts as an installed package: a Hono app answering in-process.
import { readFileSync } from "node:fs";
import {
  createApp,
  generateKeyRingConfig,
  loadConfig,
  loadKeyRing,
  memoryStore,
} from "omnithread/server";

const sites = readFileSync(
  new URL("./node_modules/omnithread/demo/sites.json", import.meta.url),
  "utf8",
);
const config = loadConfig({}, sites);
const keyRing = await loadKeyRing(await generateKeyRingConfig());
const { app } = createApp({ config, store: memoryStore(), keyRing });
const health = await app.request("/health");
const ready = await app.request("/ready");
const started = await app.request("/v1/conversations", {
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ siteId: "demo" }),
});
console.log(
  JSON.stringify({ health: health.status, ready: ready.status, started: started.status }),
);
