import { configDefaults, defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: [
      "server/**/*.test.ts",
      "sdk/**/*.test.ts",
      "console/**/*.test.ts",
      "test/**/*.test.ts",
    ],
    // Browser tests run in Chromium under @web/test-runner (`npm run test:browser`).
    exclude: [...configDefaults.exclude, "test/browser/**"],
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 15_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});
