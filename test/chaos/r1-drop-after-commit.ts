/** R1: creates while 30 % of POSTs are dropped after commit — exactly N actions, 0 duplicates, 0 failures. */
import {
  actionInput,
  atLeast,
  type ChaosRun,
  chaosClient,
  exactly,
  type Figure,
  info,
  pool,
  requestLog,
  setFaults,
} from "./harness.js";
import type { ChaosSize } from "./sizes.js";
import { createOne } from "./workflows.js";

export async function runR1(run: ChaosRun, size: ChaosSize): Promise<Figure[]> {
  const emulator = await run.emulator("r1", { seed: 101 });
  const auditLog = run.auditPath("r1");
  const audited = chaosClient(run, emulator, "sdk", { auditLog });
  const plain = chaosClient(run, emulator, "raw");
  try {
    const n = size.r1Creates;
    await setFaults(emulator, [
      { method: "POST", path: "/api/v2/dataactions", drop: true, probability: 0.3 },
    ]);
    const results = await pool(n, 8, (i) => createOne(audited, plain, actionInput(`r1_action_${i}`)));
    await setFaults(emulator, []);
    const failures = results.filter((r) => r.status === "rejected");
    const listed = await plain.sdk.actions.listAll({ nameContains: "r1_action_", pageSize: 100 });
    const names = new Set(listed.map((a) => a.name));
    const log = await requestLog(emulator);
    run.requestLogs.push({ scenario: "R1", auditLog, requests: log });
    const posts = log.filter((e) => e.method === "POST" && e.path === "/api/v2/dataactions");
    const figures = [
      exactly("R1", "actions in the tenant", listed.length, n),
      exactly("R1", "duplicate actions", listed.length - names.size, 0),
      exactly("R1", "failed creates", failures.length, 0),
      atLeast("R1", "POSTs dropped after commit", posts.filter((e) => e.fault === "drop").length, 1),
      info("R1", "POST attempts", posts.length),
    ];
    const first = failures[0];
    if (first?.status === "rejected") figures.push(info("R1", "first failure", String(first.reason)));
    return figures;
  } finally {
    await audited.close();
    await plain.close();
    await emulator.close();
  }
}
