import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    exclude: ["test/chaos/**"],
    // Checks every emulator response against docs/openapi.json (test/setup/contract-check.ts).
    setupFiles: ["test/setup/contract-check.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
  },
});
