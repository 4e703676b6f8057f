/**
 * Overrides set in dev and staging on an action of its own (builds for both), then promoted from staging
 * into prod by the server, masked key included, until the drift is zero (prod builds only on demand),
 * then a drift report where an equal masked secret is not drift and a changed one is (docs/api.md).
 */
import { ValidationError } from "../../errors.js";
import { triggerBuild } from "../../workflows/builds.js";
import { diffTenant } from "../../workflows/drift.js";
import { applyOverrides, resolveVariables } from "../../workflows/overrides.js";
import { applyOverridesPromotion, planOverridesPromotion } from "../../workflows/promote.js";
import type { DemoSection } from "../demo-env.js";

const ACTION = "payments_gateway";

export const overridesSection: DemoSection = async (env) => {
  env.section("Environments: overrides dev → staging, promoted to prod unseen, builds, drift");
  await env.client.actions.create({
    name: ACTION,
    description: "calls the payment provider with per-environment settings",
    type: "SCRIPT",
    script: {
      language: "JavaScript",
      content: "function main(context) {\n  return { region: context.variables.REGION };\n}\n",
    },
  });
  const apiKey = "sk_live_demo_51HcQe2eZvKYlo2C";
  env.out.redactor.register(apiKey);
  const base = [
    { name: "API_KEY", value: apiKey, masked: true, description: "payment provider key" },
    { name: "TIMEOUT_MS", value: "3000" },
  ];
  const tiers = [
    {
      id: "dev",
      extra: [
        { name: "REGION", value: "eu-sandbox-1" },
        { name: "LOG_LEVEL", value: "debug" },
      ],
    },
    { id: "staging", extra: [{ name: "REGION", value: "eu-west-1" }] },
  ];
  let previous: string | undefined;
  for (const tier of tiers) {
    const result = await applyOverrides(env.ctx, ACTION, tier.id, [...base, ...tier.extra], {
      wait: true,
      ...(previous ? { baseline: previous } : {}),
    });
    const build = result.build
      ? `build ${result.build.status}${previous === undefined ? " (buildOnChange: the environment rebuilds on every change)" : ""}`
      : "no build (buildOnChange, rebuilding on every change, is off)";
    const drift = result.drift ? `, ${result.drift.summary.count} drift from ${previous}` : "";
    env.ok(
      `${tier.id.padEnd(7)} ${result.variables.length} overrides, version ${result.version}: ${build}${drift}`,
    );
    previous = tier.id;
  }

  // Prod starts behind staging; promotion copies staging's values in, the masked key sealed by the server.
  await applyOverrides(env.ctx, ACTION, "prod", [{ name: "REGION", value: "us-east-1" }]);
  const behind = await diffTenant(env.ctx, "staging", "prod", ACTION);
  env.say(`drift staging → prod before promotion: ${behind.summary.count} differences`);
  const plan = await planOverridesPromotion(env.ctx, { from: "staging", to: "prod", refs: [ACTION] });
  const promoted = await applyOverridesPromotion(env.ctx, plan);
  const names = plan.actions[0]?.entries
    .filter((e) => e.step === "add" || e.step === "update")
    .map((e) => (e.masked ? `${e.name} (masked: copied sealed, never read)` : e.name));
  env.ok(
    `promote staging → prod: ${names?.join(", ")}; prod at version ${promoted.actions[0]?.version} (cxda promote)`,
  );
  const level = await diffTenant(env.ctx, "staging", "prod", ACTION);
  env.ok(
    `drift staging → prod after promotion: ${level.summary.count} differences (API_KEY compared by fingerprint)`,
  );

  // Prod never builds on a write; its build is asked for on purpose, as a release step would.
  const release = await triggerBuild(env.ctx, ACTION, "prod", { wait: true });
  env.ok(
    `prod    build on demand: ${release.status}${release.snapshot?.contentHash ? `, snapshot ${release.snapshot.contentHash.slice(0, 19)}…` : ""}`,
  );

  try {
    await applyOverrides(env.ctx, ACTION, "prod", [
      { name: "HOOK", value: "rm -rf /;" },
      { name: "PIN", value: "1234", masked: true },
    ]);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    env.refused(`refused before sending: ${error.issues.map((i) => i.message.split("; ")[0]).join(" | ")}`);
  }

  const resolved = await resolveVariables(env.ctx, ACTION, "prod");
  env.say(
    `effective in prod: ${resolved.variables.map((v) => `${v.name}=${v.value} (${v.source})`).join(", ")}`,
  );

  env.out.redactor.register("sk_live_demo_rotated_9Xk2");
  await applyOverrides(env.ctx, ACTION, "prod", [
    { name: "API_KEY", value: "sk_live_demo_rotated_9Xk2", masked: true },
  ]);
  const changed = await diffTenant(env.ctx, "staging", "prod", ACTION);
  for (const entry of changed.actions[0]?.entries ?? [])
    env.found(
      `drift after a new API_KEY value in prod: ${entry.name} ${entry.kind} (fingerprints differ; shown as ${entry.baseline} vs ${entry.target})`,
    );
};
