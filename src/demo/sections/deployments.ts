/**
 * Deployments and rollback (README.md): the example project with one edit applied as one changeset (a
 * deployment), a changeset broken on purpose (nothing applied, the refused operation named), the
 * deployment rolled back, and the plan of the unedited example clean again.
 */
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { summaryLine } from "../../cli/ui/format-plan.js";
import { CxdaError } from "../../errors.js";
import { packageFile } from "../../files/package-root.js";
import { applyPlan } from "../../project/apply.js";
import type { DesiredState } from "../../project/desired-state.js";
import { computePlan, planHasChanges } from "../../project/plan.js";
import { readLiveState } from "../../project/read-live-state.js";
import { loadProject } from "../../project/validate-project.js";
import { rollbackDeployment } from "../../workflows/deployments.js";
import type { DemoSection } from "../demo-env.js";

const EXAMPLE = packageFile("examples", "contact-center", "cxda.yaml");

export const deploymentsSection: DemoSection = async (env) => {
  env.section("Deployments: one changeset per apply, all or nothing, and rollback");
  const caps = await env.client.snapshot.capabilities();
  if (!caps.includes("changesets") || !caps.includes("deployments")) {
    env.refused("this server offers no changesets or deployments; apply writes a request per resource there");
    return;
  }
  if (!existsSync(EXAMPLE)) {
    env.refused(
      "examples/contact-center is not next to this build; run the demo from a clone of the repository",
    );
    return;
  }
  const secrets = {
    CRM_API_TOKEN: `crm_${randomBytes(12).toString("hex")}`,
    CRM_API_KEY: `key_${randomBytes(12).toString("hex")}`,
    QUEUE_API_SECRET: `queue_${randomBytes(12).toString("hex")}`,
  };
  const loaded = loadProject(EXAMPLE, { env: secrets, redactor: env.out.redactor });
  if (!loaded.project) {
    env.refused("the example project is not valid");
    return;
  }
  const original = loaded.project;
  const plan = async (project: DesiredState) => computePlan(project, (await readLiveState(env.client)).live);

  // Bring the tenant to the example first (the section above may have left it elsewhere).
  await applyPlan(env.ctx, original, await plan(original));

  // 1. An edit of the file, applied as one changeset.
  const edited: DesiredState = {
    ...original,
    actions: original.actions.map((a) =>
      a.name === "crm_lookup"
        ? {
            ...a,
            description: "Looks the caller up in the CRM (v2).",
            headers: { ...a.headers, "X-Api-Version": "2" },
          }
        : a,
    ),
  };
  const editPlan = await plan(edited);
  const before = env.client.metrics().requests;
  const applied = await applyPlan(env.ctx, edited, editPlan, { description: "demo: crm_lookup v2" });
  const requests = env.client.metrics().requests - before;
  if (!applied.ok || applied.deploymentId === undefined) {
    env.refused(`apply through a changeset failed: ${applied.errors?.map((e) => e.message).join("; ")}`);
    return;
  }
  env.ok(
    `cxda apply of an edit to crm_lookup (${summaryLine(editPlan)}) as one changeset in ${requests} request${requests === 1 ? "" : "s"} → deployment ${applied.deploymentId} (revision ${applied.revision})`,
  );

  // 2. A changeset with a bad operation: nothing of it is applied, and the operation is named.
  const revision = (await env.client.snapshot.read()).revision;
  try {
    await env.client.changesets.create({
      description: "demo: broken on purpose",
      operations: [
        { op: "updateAction", ref: "lead_score", patch: { description: "this edit must not land" } },
        { op: "updateAction", ref: "route_to_queue", patch: { dependencies: ["route_to_queue"] } },
      ],
    });
    env.refused("the broken changeset was accepted");
  } catch (error) {
    const e = error instanceof CxdaError ? error : undefined;
    const named = e?.issues.find((i) => i.path.startsWith("operations["));
    const after = await env.client.snapshot.read();
    const lead = after.actions.find((a) => a.action.name === "lead_score");
    env.refused(
      `a changeset broken on purpose (operation 1 makes route_to_queue depend on itself) → HTTP ${e?.status ?? "?"}: ${named ? `${named.path}: ${named.message}` : (e?.message ?? String(error))}`,
    );
    env.ok(
      `nothing of it was applied: revision still ${after.revision === revision ? revision : `${revision} → ${after.revision}`}, lead_score's description unchanged (${lead?.action.description !== "this edit must not land" ? "yes" : "NO"})`,
    );
  }

  // 3. Roll the deployment back; the unedited example is then what the tenant holds.
  const rolled = await rollbackDeployment(env.ctx, applied.deploymentId, {
    description: "demo: undo crm_lookup v2",
  });
  env.ok(
    `cxda deployments rollback ${applied.deploymentId}: ${rolled.actions.join(", ")} restored → deployment ${rolled.rollback.deploymentId}`,
  );
  const clean = await plan(original);
  env.ok(
    `cxda plan (the example as it was): ${planHasChanges(clean) ? `STILL CHANGES — ${summaryLine(clean)}` : "no changes, the rollback put it back exactly"}`,
  );
};
