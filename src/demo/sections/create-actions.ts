/**
 * Issue 4 in the demo: createAction with a dependency and a sandboxed test (output and logs), a cycle
 * refused with its path, and an endless loop stopped at the sandbox deadline. `base_transform` and
 * `lead_enrichment_v2` stay for later sections.
 */
import { ValidationError } from "../../errors.js";
import { deleteAction } from "../../workflows/actions.js";
import { createAction } from "../../workflows/create-action.js";
import { testAction } from "../../workflows/test-action.js";
import type { DemoSection } from "../demo-env.js";

const script = (content: string) => ({ language: "JavaScript" as const, content });

const BASE_TRANSFORM = `function main(context) {
  const lead = context.input || {};
  return { email: String(lead.email || "").trim().toLowerCase(), source: lead.source || "web" };
}
`;

const LEAD_ENRICHMENT = `function main(context) {
  const lead = context.input;
  const domain = lead.email.split("@")[1];
  console.log("enriching", lead.email, "from", domain);
  const score = domain.endsWith(".com") ? 80 : 55;
  console.log("score", score);
  return { email: lead.email, domain, score, tier: score >= 70 ? "hot" : "warm" };
}
`;

export const createActionsSection: DemoSection = async (env) => {
  env.section("Create actions: validation, dependency graph, sandboxed test runs");
  const base = await createAction(env.ctx, {
    name: "base_transform",
    description: "normalises a raw lead",
    type: "SCRIPT",
    script: script(BASE_TRANSFORM),
  });
  env.ok(`created base_transform (version ${base.action.version}) in ${base.latencyMs} ms`);

  const lead = await createAction(
    env.ctx,
    {
      name: "lead_enrichment_v2",
      description: "scores a lead by its email domain",
      type: "SCRIPT",
      script: script(LEAD_ENRICHMENT),
      dependencies: ["base_transform"],
    },
    { testInput: { email: "ana@example.com", source: "webinar" } },
  );
  const test = lead.testResult;
  env.ok(
    `created lead_enrichment_v2 → depends on base_transform; test ${test?.status ?? "not run"} in ${test?.durationMs ?? 0} ms`,
  );
  env.say(`  output ${JSON.stringify(test?.output)}`);
  for (const line of test?.logs ?? []) env.say(`  log    ${line}`);

  const bad = await createAction(env.ctx, {
    name: "broken_script",
    type: "SCRIPT",
    script: script("function main(context) {\n  return context.input +;\n}\n"),
  }).catch((error: unknown) => error);
  if (bad instanceof ValidationError) {
    const at = bad.issues[0];
    env.refused(
      `broken_script refused before sending: line ${at?.line}, column ${at?.column}: ${at?.message ?? bad.message} (${bad.slug})`,
    );
  }

  const current = await env.client.actions.resolve("base_transform");
  const cycle = await env.client.actions
    .patch(current.id, { dependencies: ["lead_enrichment_v2"] }, { version: current.version })
    .catch((error: unknown) => error);
  if (cycle instanceof ValidationError)
    env.refused(
      `base_transform → lead_enrichment_v2 refused by the server: ${cycle.message} (${cycle.slug})`,
    );
  else env.say("unexpected: the cycle was accepted");

  const loop = await createAction(
    env.ctx,
    {
      name: "runaway_loop",
      description: "never returns",
      type: "SCRIPT",
      script: script("function main() {\n  for (;;) {}\n}\n"),
    },
    { testInput: null },
  );
  env.refused(
    `runaway_loop test ${loop.testResult?.status} after ${loop.testResult?.durationMs} ms: ${loop.testResult?.error ?? ""}`,
  );
  const again = await testAction(env.ctx, "lead_enrichment_v2", { input: { email: "bo@example.org" } });
  env.ok(
    `meanwhile the emulator still answers: lead_enrichment_v2 test ${again.result.status}, output ${JSON.stringify(again.result.output)}`,
  );
  await deleteAction(env.ctx, loop.action.name);
};
