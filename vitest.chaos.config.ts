import { defineConfig } from "vitest/config";

// `npm run chaos`: the full-size reliability suite of issue 11 (test/chaos), one file, long timeouts.
export default defineConfig({
  test: {
    include: ["test/chaos/**/*.test.ts"],
    testTimeout: 600_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});
