/**
 * The declarative workflow (README.md) on the example project: validate, plan, apply, re-plan (no
 * changes), a header changed through the API, the plan catching that drift, apply putting it back.
 * The example's `${env:…}` secrets get demo values in-process (process.env is left alone).
 */

import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { summaryLine } from "../../cli/ui/format-plan.js";
import { packageFile } from "../../files/package-root.js";
import { applyPlan } from "../../project/apply.js";
import { exportProject } from "../../project/export.js";
import { computePlan, type Plan, planHasChanges } from "../../project/plan.js";
import { readLiveState } from "../../project/read-live-state.js";
import { loadProject } from "../../project/validate-project.js";
import { setHeaders } from "../../workflows/headers.js";
import type { DemoEnv, DemoSection } from "../demo-env.js";

// src/demo/sections and dist/demo/sections both sit three levels below the repository root.
const EXAMPLE = packageFile("examples", "contact-center", "cxda.yaml");
const SHOWN = "examples/contact-center/cxda.yaml";

export const declarativeSection: DemoSection = async (env) => {
  env.section("Declarative project: validate → plan → apply → drift (examples/contact-center)");
  if (!existsSync(EXAMPLE)) {
    env.refused(
      `${SHOWN} is not next to this build (${EXAMPLE}); run the demo from a clone of the repository`,
    );
    return;
  }
  const secrets = {
    CRM_API_TOKEN: `crm_${randomBytes(12).toString("hex")}`,
    CRM_API_KEY: `key_${randomBytes(12).toString("hex")}`,
    QUEUE_API_SECRET: `queue_${randomBytes(12).toString("hex")}`,
  };
  const loaded = loadProject(EXAMPLE, { env: secrets, redactor: env.out.redactor });
  if (!loaded.ok || !loaded.project) {
    env.refused(`${SHOWN} is not valid: ${loaded.problems.map((p) => p.message).join("; ")}`);
    return;
  }
  const project = loaded.project;
  const vars = project.actions.reduce((n, a) => n + (a.variables?.length ?? 0), 0);
  env.ok(
    `cxda validate: ${project.actions.length} actions, ${vars} variables, secrets from \${env:…} (demo values, never printed)`,
  );

  const plan = await planNow(env, project);
  const existing = plan.changes
    .filter((c) => c.resource === "action" && c.kind === "update")
    .map((c) => c.action);
  env.say(
    `cxda plan: ${summaryLine(plan)}${existing.length > 0 ? ` (${existing.join(", ")} exist from the sections above: updated in place)` : ""}`,
  );
  const started = performance.now();
  const before = env.client.metrics().requests;
  const result = await applyPlan(env.ctx, project, plan);
  const { created, updated, deleted } = result.applied;
  const took = Math.round(performance.now() - started);
  const requests = env.client.metrics().requests - before;
  if (result.ok)
    env.ok(
      `cxda apply: ${created} created, ${updated} updated, ${deleted} deleted in ${took} ms (${requests} request${requests === 1 ? "" : "s"}; creates carry headers and dateProcessing)`,
    );
  else
    for (const f of result.failures)
      env.refused(`cxda apply: ${f.kind} ${f.action} ${f.resource}: ${f.reason}`);

  const again = await planNow(env, project);
  env.ok(
    `re-plan: ${planHasChanges(again) ? `STILL CHANGES — ${summaryLine(again)}` : "no changes, the tenant matches the file"}`,
  );

  await setHeaders(env.ctx, "crm_lookup", { "X-Source": "edited-in-console" });
  env.say("someone changes a header through the API: setHeaders(crm_lookup, X-Source=edited-in-console)");
  const drift = await planNow(env, project);
  for (const change of drift.changes.filter((c) => c.kind !== "no-op"))
    for (const d of change.diff)
      env.found(
        `plan catches the drift: ${change.kind} ${change.action} ${change.resource}: ${d.path} ${JSON.stringify(d.before)} → ${JSON.stringify(d.after)}`,
      );
  const fixed = await applyPlan(env.ctx, project, drift);
  const after = await planNow(env, project);
  env.ok(
    `cxda apply: ${fixed.applied.updated} updated; re-plan: ${planHasChanges(after) ? summaryLine(after) : "no changes"}`,
  );

  const exported = await exportProject(env.client);
  const [first] = exported.secrets;
  env.ok(
    `cxda export: ${exported.actions.length} actions read in ${exported.requests} requests; ${exported.secrets.length} secrets written as placeholders${first ? ` (${first.env}, …)` : ""}, never as values`,
  );
};

async function planNow(env: DemoEnv, project: Parameters<typeof computePlan>[0]): Promise<Plan> {
  const { live } = await readLiveState(env.client);
  return computePlan(project, live);
}
