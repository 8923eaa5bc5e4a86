import { build } from "vite";

/**
 * The end-to-end tests load the real bundles: the script-tag widget and the agent console; the
 * edge tests run the real worker bundle (with those two as its assets).
 */
export default async function setup(): Promise<void> {
  await build({ configFile: "vite.widget.config.ts", logLevel: "error" });
  await build({ configFile: "vite.console.config.ts", logLevel: "error" });
  await build({ configFile: "vite.worker.config.ts", logLevel: "error" });
}
