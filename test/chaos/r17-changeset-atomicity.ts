/**
 * R17: changeset atomicity. A changeset of N operations whose operation N−2 (the 999th of 1 000 at full
 * size) is invalid leaves the tenant revision and every resource unchanged (compared by snapshot). Then
 * the same changeset made valid is sent while every POST /changesets is dropped after commit: the
 * client's retry (same Idempotency-Key) replays the commit instead of applying it twice.
 */
import {
  actionInput,
  type ChaosRun,
  chaosClient,
  exactly,
  type Figure,
  info,
  requestLog,
  setFaults,
} from "./harness.js";
import type { ChaosSize } from "./sizes.js";

export async function runR17(run: ChaosRun, size: ChaosSize): Promise<Figure[]> {
  const emulator = await run.emulator("r17", { seed: 117 });
  const admin = chaosClient(run, emulator, "sdk", { auditLog: run.auditPath("r17") });
  try {
    const client = admin.sdk.context.client;
    const n = size.r17Operations;
    // Existing state the failing changeset would change: one action updated by every other operation.
    const kept = (await client.actions.create(actionInput("r17_kept"))).body;
    const snapshot = async () => {
      const read = await client.snapshot.read();
      return { revision: read.revision, text: JSON.stringify(read) };
    };
    const before = await snapshot();
    const operations = Array.from({ length: n }, (_, i) =>
      i % 2 === 0
        ? { op: "createAction" as const, action: actionInput(`r17_new_${i}`) }
        : { op: "updateAction" as const, ref: kept.id, patch: { description: `edit ${i}` } },
    );
    const bad = n - 2;
    const invalid = operations.map((o, i) =>
      i === bad ? { op: "createAction" as const, action: { ...actionInput("r17_bad"), name: "x" } } : o,
    );
    let status = 0;
    let path = "";
    try {
      await client.changesets.create({ operations: invalid });
    } catch (error) {
      const e = error as { status?: number; issues?: { path: string }[] };
      status = e.status ?? -1;
      path = e.issues?.[0]?.path ?? "";
    }
    const afterFailure = await snapshot();

    await setFaults(emulator, [{ method: "POST", path: "/api/v2/changesets", drop: true, count: 1 }]);
    const committed = (await client.changesets.create({ operations })).body;
    await setFaults(emulator, []);
    const log = (await requestLog(emulator)).filter(
      (e) => e.method === "POST" && e.path === "/api/v2/changesets",
    );
    const listed = await client.actions.listAll({ nameContains: "r17_new_", pageSize: 100 });
    const names = new Set(listed.map((a) => a.name));
    const deployments = [];
    for await (const d of client.deployments.list()) deployments.push(d);
    return [
      exactly("R17", "invalid changeset: HTTP status 4xx", status >= 400 && status < 500 ? 1 : 0, 1),
      exactly(
        "R17",
        `the problem names operations[${bad}]`,
        path.startsWith(`operations[${bad}]`) ? 1 : 0,
        1,
      ),
      exactly(
        "R17",
        "revision changed by the refused changeset",
        afterFailure.revision === before.revision ? 0 : 1,
        0,
      ),
      exactly(
        "R17",
        "snapshot changed by the refused changeset",
        afterFailure.text === before.text ? 0 : 1,
        0,
      ),
      exactly("R17", "commits dropped after commit", log.filter((e) => e.fault === "drop").length, 1),
      exactly("R17", "replayed commits", log.filter((e) => e.replayed === true).length, 1),
      exactly("R17", "actions created (each once)", listed.length, Math.ceil(n / 2)),
      exactly("R17", "duplicate actions", listed.length - names.size, 0),
      exactly(
        "R17",
        "changeset deployments recorded",
        deployments.filter((d) => d.id === committed.deploymentId).length,
        1,
      ),
      info("R17", "operations per changeset", n),
    ];
  } finally {
    await admin.close();
    await emulator.close();
  }
}
