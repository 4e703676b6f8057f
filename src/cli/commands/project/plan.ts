import { writePrivateFile } from "../../../files/private-files.js";
import { computePlan, planHasChanges } from "../../../project/plan.js";
import { readLiveState } from "../../../project/read-live-state.js";
import { projectValidationError } from "../../../project/validate-project.js";
import type { Handler } from "../../command.js";
import { EXIT } from "../../exit-codes.js";
import { formatPlan } from "../../ui/format-plan.js";
import type { planSpec } from "./index.js";
import { load } from "./load.js";

export const run: Handler<typeof planSpec> = async (ctx, { options }) => {
  const { file } = options;
  const result = load(ctx, file, options);
  if (!result.ok || !result.project) throw projectValidationError(file, result.problems);
  const client = await ctx.client();
  const before = client.metrics().requests;
  const { live, notes } = await readLiveState(client);
  const reads = client.metrics().requests - before;
  for (const note of notes) ctx.out.warn(note);
  const plan = computePlan(result.project, live, {
    prune: options.prune === true,
    refreshSecrets: options.refreshSecrets === true,
  });
  if (options.out !== undefined) {
    writePrivateFile(options.out, `${JSON.stringify(ctx.redactor.redact({ ...plan, file }), null, 2)}\n`);
  }
  if (ctx.out.json) {
    ctx.out.result({ file, ...plan, liveRead: { actions: live.actions.length, requests: reads, notes } });
  } else {
    ctx.out.info(
      `${file}: ${result.project.actions.length} actions; tenant: ${live.actions.length} actions read in ${reads} request${reads === 1 ? "" : "s"}`,
    );
    ctx.out.line(formatPlan(plan, ctx.out.colors));
    if (options.out !== undefined) ctx.out.info(`plan saved to ${options.out}`);
  }
  return options.detailedExitcode === true && planHasChanges(plan) ? EXIT.changes : EXIT.ok;
};
