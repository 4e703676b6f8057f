/**
 * R4: 20 % 503 on every route plus 5 % connection resets — every idempotent operation succeeds, and
 * the emulator's request log shows no non-idempotent request (POST without Idempotency-Key, PATCH
 * without a version) sent more than once.
 */
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
import { createOne, workflow } from "./workflows.js";

const ACTIONS = "/api/v2/dataactions";

export async function runR4(run: ChaosRun, size: ChaosSize): Promise<Figure[]> {
  const emulator = await run.emulator("r4", { seed: 404 });
  const auditLog = run.auditPath("r4");
  const audited = chaosClient(run, emulator, "sdk", { auditLog });
  const plain = chaosClient(run, emulator, "raw");
  try {
    const probe = (await plain.sdk.actions.create(actionInput("r4_probe"))).body;
    await setFaults(emulator, [
      { method: "*", path: "/**", reset: true, probability: 0.05 },
      { method: "*", path: "/**", status: 503, probability: 0.2 },
    ]);
    let idempotentOps = 0;
    const chains = await pool(size.r4Chains, 8, async (i) => {
      const input = actionInput(`r4_chain_${i}`);
      const action = await createOne(audited, plain, input);
      const got = await plain.sdk.actions.get(action.id);
      await plain.sdk.actions.listAll({ name: input.name });
      const replaced = await plain.sdk.actions.replace(
        action.id,
        { ...input, description: "replaced" },
        { version: got.version ?? 1 },
      );
      await plain.sdk.actions.patch(
        action.id,
        { description: "patched" },
        { version: replaced.version ?? 2 },
      );
      const remove = workflow(audited, "deleteAction");
      if (remove) await remove(action.id);
      else await plain.sdk.actions.delete(action.id, { version: (replaced.version ?? 2) + 1 });
      idempotentOps += 6;
    });
    // Non-idempotent calls: each may fail, but none may be sent twice.
    const probes = Math.max(4, Math.floor(size.r4Chains / 4));
    await pool(probes, 4, async (j) => {
      await plain.sdk
        .request("POST", "/dataactions", { body: actionInput(`r4_nokey_${j}`), idempotencyKey: false })
        .catch(() => undefined);
      await plain.sdk
        .request("PATCH", `/dataactions/${probe.id}`, {
          body: { description: `unconditional ${j}` },
          contentType: "application/merge-patch+json",
        })
        .catch(() => undefined);
    });
    await setFaults(emulator, []);
    const log = await requestLog(emulator);
    run.requestLogs.push({ scenario: "R4", auditLog, requests: log });
    const keylessPosts = log.filter(
      (e) => e.method === "POST" && e.path === ACTIONS && e.idempotencyKey === null,
    );
    const unversionedPatches = log.filter(
      (e) => e.method === "PATCH" && e.path === `${ACTIONS}/${probe.id}` && e.ifMatch === undefined,
    );
    const failed = chains.filter((c) => c.status === "rejected");
    const figures = [
      exactly("R4", "failed idempotent chains", failed.length, 0),
      exactly("R4", "idempotent operations succeeded", idempotentOps, size.r4Chains * 6),
      exactly("R4", "retried POSTs without Idempotency-Key", keylessPosts.length - probes, 0),
      exactly("R4", "retried PATCHes without a version", unversionedPatches.length - probes, 0),
      atLeast("R4", "injected 503s", log.filter((e) => e.fault === "status").length, 1),
      atLeast("R4", "injected resets", log.filter((e) => e.fault === "reset").length, 1),
      info("R4", "requests in the log", log.length),
    ];
    const first = failed[0];
    if (first?.status === "rejected") figures.push(info("R4", "first failure", String(first.reason)));
    return figures;
  } finally {
    await audited.close();
    await plain.close();
    await emulator.close();
  }
}
