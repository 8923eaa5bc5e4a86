import { execFileSync } from "node:child_process";
import { build } from "vite";

/**
 * The end-to-end tests load the real bundles: the script-tag widget and the agent console; the
 * edge tests run the real worker bundle (with those two as its assets); the deploy and package
 * tests run the built server and SDK (`npm run build:lib`).
 */
export default async function setup(): Promise<void> {
  await build({ configFile: "vite.widget.config.ts", logLevel: "error" });
  await build({ configFile: "vite.console.config.ts", logLevel: "error" });
  await build({ configFile: "vite.worker.config.ts", logLevel: "error" });
  execFileSync(process.execPath, ["scripts/build-lib.mjs"], { stdio: "inherit" });
}
