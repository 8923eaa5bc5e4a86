import { build } from "vite";

/** The end-to-end tests load the real script-tag bundle: build it once per run. */
export default async function setup(): Promise<void> {
  await build({ configFile: "vite.widget.config.ts", logLevel: "error" });
}
