import { ValidationError } from "../../../errors.js";
import { writePrivateFile } from "../../../files/private-files.js";
import { computePlan, planHasChanges } from "../../../project/plan.js";
import { readLiveState } from "../../../project/read-live-state.js";
import { projectValidationError } from "../../../project/validate-project.js";
import type { Handler } from "../../command.js";
import type { CommandContext } from "../../context.js";
import { EXIT, UsageError } from "../../exit-codes.js";
import { formatPlan } from "../../ui/format-plan.js";
import { githubAnnotation, problemAnnotations } from "../../ui/github-annotations.js";
import type { planSpec } from "./index.js";
import { load } from "./load.js";

type PlanOptions = Parameters<Handler<typeof planSpec>>[1]["options"];

export const run: Handler<typeof planSpec> = async (ctx, { options }) => {
  const github = options.format === "github";
  if (github && ctx.out.json)
    throw new UsageError("--format github and --json cannot be used together: pick one");
  if (!github) return plan(ctx, options);
  try {
    return await plan(ctx, options);
  } catch (error) {
    // Invalid files were annotated at their lines; anything else (auth, network, a refused read) once, unplaced.
    if (!(error instanceof ValidationError && error.issues.some((i) => i.line !== undefined)))
      ctx.out.line(
        githubAnnotation(
          "error",
          ctx.redactor.redactString(error instanceof Error ? error.message : String(error)),
          {
            title: "cxda plan",
          },
        ),
      );
    throw error;
  }
};

async function plan(ctx: CommandContext, options: PlanOptions): Promise<number> {
  const { file } = options;
  const github = options.format === "github";
  const result = load(ctx, file, options);
  if (!result.ok || !result.project) {
    if (github) for (const line of problemAnnotations(result.problems)) ctx.out.line(line);
    throw projectValidationError(file, result.problems);
  }
  const client = await ctx.client();
  const before = client.metrics().requests;
  const { live, notes } = await readLiveState(client);
  const reads = client.metrics().requests - before;
  for (const note of notes) {
    ctx.out.warn(note);
    if (github) ctx.out.line(githubAnnotation("warning", note, { title: "cxda plan" }));
  }
  const computed = computePlan(result.project, live, {
    prune: options.prune === true,
    refreshSecrets: options.refreshSecrets === true,
  });
  if (options.out !== undefined) {
    writePrivateFile(options.out, `${JSON.stringify(ctx.redactor.redact({ ...computed, file }), null, 2)}\n`);
  }
  if (ctx.out.json) {
    ctx.out.result({
      file,
      ...computed,
      liveRead: { actionCount: live.actions.length, requestCount: reads, notes },
    });
  } else {
    ctx.out.info(
      `${file}: ${result.project.actions.length} actions; tenant: ${live.actions.length} actions read in ${reads} request${reads === 1 ? "" : "s"}`,
    );
    ctx.out.line(formatPlan(computed, ctx.out.colors));
    if (options.out !== undefined) ctx.out.info(`plan saved to ${options.out}`);
    if (github) {
      const { create, update, delete: remove } = computed.summary;
      ctx.out.line(
        githubAnnotation(
          "notice",
          planHasChanges(computed)
            ? `${create} to create, ${update} to update, ${remove} to delete`
            : "no changes: the tenant matches the file",
          { title: `cxda plan ${file}` },
        ),
      );
    }
  }
  return options.detailedExitcode === true && planHasChanges(computed) ? EXIT.changes : EXIT.ok;
}
