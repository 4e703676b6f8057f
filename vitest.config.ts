import { defineConfig } from "vitest/config";
import { DEFAULT_TEST_DATABASE_URL, postgresForTests } from "./test/helpers/postgres.js";

/**
 * The emulator's contract and end-to-end suites that run a second time with the emulator on
 * PostgreSQL (a fresh database per emulator, test/emulator/helpers.ts), when one answers.
 */
const ON_BOTH_STORES = [
  "test/emulator/actions-crud.test.ts",
  "test/emulator/idempotency.test.ts",
  "test/emulator/tenant-revision.test.ts",
  "test/emulator/changesets.test.ts",
  "test/emulator/deployments.test.ts",
  "test/emulator/variables.test.ts",
  "test/emulator/overrides.test.ts",
  "test/emulator/snapshot.test.ts",
  "test/emulator/tenancy-storage.test.ts",
  "test/emulator/health.test.ts",
  "test/emulator/builds.test.ts",
  "test/emulator/promote.test.ts",
  "test/emulator/wire.test.ts",
  "test/emulator/get-answer-cache.test.ts",
];

const postgres = postgresForTests();
if (!postgres.available)
  console.log(
    `PostgreSQL runs skipped (${postgres.reason}): set CXDA_TEST_DATABASE_URL=${DEFAULT_TEST_DATABASE_URL} (any database on a server you may create databases on) to run them.`,
  );

export default defineConfig({
  test: {
    // Checks every emulator response against docs/openapi.json (test/setup/contract-check.ts).
    setupFiles: ["test/setup/contract-check.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
    // vitest's default is one worker less than the cores, so one file at a time on a 2-core machine;
    // the suite mostly waits (servers, child processes, timers): with 3 workers a full run took 8 min
    // of wall time instead of 18.6 on such a machine (2026-12-03), for the same CPU time.
    maxWorkers: 3,
    projects: [
      {
        extends: true,
        test: { name: "sqlite", include: ["test/**/*.test.ts"], exclude: ["test/chaos/**"] },
      },
      ...(postgres.available
        ? [
            {
              extends: true as const,
              test: { name: "postgres", include: ON_BOTH_STORES, env: { CXDA_TEST_STORE: "postgres" } },
            },
          ]
        : []),
    ],
  },
});
