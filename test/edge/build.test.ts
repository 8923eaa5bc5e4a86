import { readFileSync } from "node:fs";
import { build } from "vite";
import { describe, expect, it } from "vitest";
import { noNodeBuiltins } from "../../vite.worker.config.ts";
import { WORKER_SCRIPT } from "../helpers/edge-worker.ts";

describe("the worker build", () => {
  it("fails when an entry reaches a Node built-in, and names it", async () => {
    const attempt = build({
      configFile: false,
      logLevel: "silent",
      plugins: [noNodeBuiltins],
      ssr: { target: "webworker", noExternal: true },
      build: { ssr: "test/edge/fixtures/reaches-node.ts", write: false },
    });
    await expect(attempt).rejects.toThrow(/reached the Node built-in "node:[a-z_]+"/);
  });

  it("bundles server/worker.ts into one module that loads nothing else", () => {
    const code = readFileSync(WORKER_SCRIPT, "utf8");
    // Every import statement, static or dynamic, and any require: none may be left.
    const loads = code.match(
      /(?:^|[;}\s])(?:import\s*[\w{*][^;]*?from\s*|import\s*\(|require\s*\()["'`][^"'`]+/g,
    );
    expect(loads ?? []).toEqual([]);
    expect(code).toMatch(/export\s*\{[^}]*\bas default\b/);
  });
});
