import { ConflictError } from "../../errors.js";
import { deleteAction, getAction, listActions } from "../../workflows/actions.js";
import type { DemoSection } from "../demo-env.js";

const script = (body: string) => ({
  language: "JavaScript" as const,
  content: `function main(context) {\n  ${body}\n}\n`,
});

export const actionsBasicsSection: DemoSection = async (env) => {
  env.section("Actions: list, get, delete");
  const scratch = await env.client.actions.create({
    name: "scratch_lookup",
    description: "a throwaway action for the demo",
    type: "SCRIPT",
    enabled: true,
    trigger: { type: "MANUAL" },
    script: script("return { echo: context.input };"),
    dependencies: [],
  });
  const helper = await env.client.actions.create({
    name: "scratch_consumer",
    type: "SCRIPT",
    enabled: true,
    trigger: { type: "MANUAL" },
    script: script("return {};"),
    dependencies: ["scratch_lookup"],
  });
  const all = await listActions(env.ctx, { nameContains: "scratch" });
  env.ok(`listed ${all.length} actions named scratch_*: ${all.map((a) => a.name).join(", ")}`);
  const got = await getAction(env.ctx, "scratch_lookup");
  env.say(
    `get scratch_lookup → id ${got.id}, version ${got.version}, ETag "${scratch.version}" (the version tag a write must match, so it never overwrites a newer one)`,
  );
  try {
    await deleteAction(env.ctx, "scratch_lookup");
    env.say("unexpected: deleting an action with dependents succeeded");
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
    env.refused(`delete scratch_lookup refused: ${error.message} (${error.slug})`);
  }
  await deleteAction(env.ctx, helper.body.name);
  await deleteAction(env.ctx, "scratch_lookup");
  env.ok("deleted scratch_consumer, then scratch_lookup (dependents first)");
};
