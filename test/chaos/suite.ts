/**
 * Registers the scenarios R1…R18 as vitest tests at one size. Each scenario returns figures; each
 * test asserts its own figures, and the whole table is printed once the run ends.
 */
import { rmSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { ChaosRun, type Figure, figuresTable } from "./harness.js";
import { runR1 } from "./r1-drop-after-commit.js";
import { runR2 } from "./r2-concurrent-editors.js";
import { runR3 } from "./r3-token-expiry.js";
import { runR4 } from "./r4-faults-everywhere.js";
import { runR5 } from "./r5-rate-limit-storm.js";
import { runR6 } from "./r6-no-secret-leaks.js";
import { runR7 } from "./r7-hostile-input.js";
import { runR8 } from "./r8-apply-killed.js";
import { runR8c } from "./r8c-changeset-killed.js";
import { runR9 } from "./r9-tenancy.js";
import { runR10 } from "./r10-audit-completeness.js";
import { runR11 } from "./r11-encoded-paths.js";
import { runR12 } from "./r12-test-run-secrets.js";
import { runR13 } from "./r13-placeholder-confinement.js";
import { runR14 } from "./r14-noisy-neighbour.js";
import { runR15 } from "./r15-token-guessing.js";
import { runR16 } from "./r16-file-modes.js";
import { runR17 } from "./r17-changeset-atomicity.js";
import { runR18 } from "./r18-rollback-concurrency.js";
import type { ChaosSize } from "./sizes.js";

const SCENARIOS: [string, string, (run: ChaosRun, size: ChaosSize) => Promise<Figure[]>][] = [
  ["R1", "creates while 30 % of POSTs are dropped after commit", runR1],
  ["R2", "concurrent editors of headers, variables and overrides", runR2],
  ["R3", "mixed workload with a 2 s token TTL", runR3],
  ["R4", "20 % 503 and 5 % resets on every route", runR4],
  ["R5", "429 storm, 60/min, 10 workers", runR5],
  ["R7", "hostile bodies and headers on every route", runR7],
  ["R8", "cxda apply killed and resumed", runR8],
  ["R8c", "cxda apply through one changeset, killed at seeded points: old or new, never a mix", runR8c],
  [
    "R17",
    "changeset atomicity: an invalid operation applies nothing; a dropped commit replays, not twice",
    runR17,
  ],
  ["R18", "a rollback while editors change other actions; a conflicting edit; force", runR18],
  ["R9", "a second tenant on the first tenant's objects", runR9],
  ["R12", "secret exfiltration through test runs", runR12],
  ["R14", "noisy neighbour: one tenant's flood of test runs", runR14],
  ["R13", "placeholder confinement: project files only, plan shows what is stored", runR13],
  // R6 and R10 read what the scenarios above left behind.
  ["R6", "no secret in any output, log or database", runR6],
  ["R10", "one audit line per committed write", runR10],
  ["R11", "every guarded path × 6 encodings", runR11],
  ["R15", "token guessing against the back-off", runR15],
  ["R16", "file modes of everything cxda writes", runR16],
];

export function defineChaosSuite(size: ChaosSize): void {
  const run = new ChaosRun();
  describe.sequential(`reliability suite (${size.name})`, () => {
    afterAll(() => {
      const order = SCENARIOS.map(([id]) => id);
      const sorted = [...run.figures].sort((a, b) => order.indexOf(a.scenario) - order.indexOf(b.scenario));
      process.stdout.write(`\ncxda reliability figures (${size.name})\n${figuresTable(sorted)}\n\n`);
      rmSync(run.dir, { recursive: true, force: true });
    });
    for (const [id, title, scenario] of SCENARIOS) {
      it(`${id}: ${title}`, { timeout: size.name === "full" ? 600_000 : 120_000 }, async () => {
        const figures = await scenario(run, size);
        run.figures.push(...figures);
        const failed = figures.filter((f) => !f.pass);
        expect(failed, figuresTable(figures)).toEqual([]);
      });
    }
  });
}
