// A server of your own on Node: the embeddable app and the ready-made Node server.
import {
  createApp,
  generateKeyRingConfig,
  loadConfig,
  loadKeyRing,
  memoryStore,
  type Store,
} from "omnithread/server";
import { type RunningServer, startServer } from "omnithread/server/node";

export async function embedded(sitesJson: string, store: Store = memoryStore()) {
  const config = loadConfig({ PORT: "8787" }, sitesJson);
  const keyRing = await loadKeyRing(await generateKeyRingConfig());
  const { app } = createApp({ config, store, keyRing });
  const res: Response = await app.request("/ready");
  return res.status;
}

export async function production(): Promise<RunningServer> {
  return startServer({ env: process.env, production: true, signals: true });
}
