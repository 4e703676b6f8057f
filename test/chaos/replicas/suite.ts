/**
 * The reliability scenarios across two replicas on PostgreSQL behind a round-robin proxy: R1, R2, R9
 * and R17 unchanged, then R19 (a replica killed), R20 (the database's connections ended) and R21 (reads
 * through one replica right after the other acknowledged a write). Skipped
 * with one line when no PostgreSQL answers (CXDA_TEST_DATABASE_URL).
 */
import { rmSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { DEFAULT_TEST_DATABASE_URL, postgresForTests } from "../../helpers/postgres.js";
import { type Figure, figuresTable } from "../harness.js";
import { runR1 } from "../r1-drop-after-commit.js";
import { runR2 } from "../r2-concurrent-editors.js";
import { runR9 } from "../r9-tenancy.js";
import { runR17 } from "../r17-changeset-atomicity.js";
import type { ChaosSize } from "../sizes.js";
import { runR19 } from "./r19-replica-killed.js";
import { runR20 } from "./r20-database-restart.js";
import { runR21 } from "./r21-read-after-write.js";
import { ReplicaChaosRun } from "./replica-run.js";

const SCENARIOS: [string, string, (run: ReplicaChaosRun, size: ChaosSize) => Promise<Figure[]>][] = [
  ["R1", "creates while 30 % of POSTs are dropped after commit, across replicas", runR1],
  ["R2", "concurrent editors through two replicas", runR2],
  ["R9", "a second tenant on the first tenant's objects, across replicas", runR9],
  ["R17", "changeset atomicity across replicas", runR17],
  [
    "R19",
    "a replica SIGKILLed mid-burst: acknowledged writes kept, nothing twice, no half changeset",
    runR19,
  ],
  ["R20", "the database's connections ended under load: 503 + Retry-After, retries carry through", runR20],
  [
    "R21",
    "a read through one replica right after the other acknowledged a write or a revocation: never older",
    runR21,
  ],
];

export async function defineReplicaChaosSuite(size: ChaosSize): Promise<void> {
  const { available, reason } = postgresForTests();
  if (!available)
    process.stdout.write(
      `Chaos across replicas skipped (${reason}): set CXDA_TEST_DATABASE_URL=${DEFAULT_TEST_DATABASE_URL} to run it.\n`,
    );
  const run = new ReplicaChaosRun();
  (available ? describe.sequential : describe.skip)(`reliability across replicas (${size.name})`, () => {
    afterAll(() => {
      process.stdout.write(
        `\ncxda reliability figures across replicas (${size.name})\n${figuresTable(run.figures)}\n\n`,
      );
      rmSync(run.dir, { recursive: true, force: true });
    });
    for (const [id, title, scenario] of SCENARIOS) {
      it(`${id}: ${title}`, { timeout: size.name === "full" ? 600_000 : 180_000 }, async () => {
        const figures = await scenario(run, size);
        run.figures.push(...figures);
        const failed = figures.filter((f) => !f.pass);
        expect(failed, figuresTable(figures)).toEqual([]);
      });
    }
  });
}
