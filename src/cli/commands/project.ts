import { writeFileSync } from "node:fs";
import type { DesiredState } from "../../project/desired-state.js";
import { formatPlan } from "../../project/format-plan.js";
import { computePlan, planHasChanges } from "../../project/plan.js";
import { projectJsonSchema } from "../../project/project-schema.js";
import { readLiveState } from "../../project/read-live-state.js";
import {
  formatProblem,
  loadProject,
  type ProjectValidation,
  projectValidationError,
} from "../../project/validate-project.js";
import type { CommandContext } from "../context.js";
import { EXIT } from "../exit-codes.js";
import type { CommandHandler } from "../program.js";

function fileOf(options: Record<string, unknown>): string {
  return typeof options.file === "string" ? options.file : "cxda.yaml";
}

function load(ctx: CommandContext, options: Record<string, unknown>): ProjectValidation {
  return loadProject(fileOf(options), {
    allowLiteralSecrets: options.allowLiteralSecrets === true,
    redactor: ctx.redactor,
  });
}

function describeProject(project: DesiredState): string {
  const envs = new Set<string>();
  let variables = 0;
  for (const a of project.actions) {
    variables += a.variables?.length ?? 0;
    for (const env of Object.keys(a.overrides ?? {})) envs.add(env);
  }
  const n = project.actions.length;
  return `${n} action${n === 1 ? "" : "s"}, ${variables} variable${variables === 1 ? "" : "s"}, overrides in ${envs.size} environment${envs.size === 1 ? "" : "s"}`;
}

export const projectValidate: CommandHandler = async (ctx, _args, options) => {
  const file = fileOf(options);
  const result = load(ctx, options);
  if (ctx.out.json) {
    ctx.out.result({
      ok: result.ok,
      file,
      problems: result.problems,
      ...(result.project ? { actions: result.project.actions.map((a) => a.name) } : {}),
    });
    return result.ok ? EXIT.ok : EXIT.invalidInput;
  }
  if (!result.ok) {
    for (const problem of result.problems) ctx.out.line(formatProblem(problem));
    const n = result.problems.length;
    ctx.out.info(`${file}: ${n} problem${n === 1 ? "" : "s"}; fix them and run cxda validate again`);
    return EXIT.invalidInput;
  }
  ctx.out.line(`${file} is valid: ${describeProject(result.project!)}`);
  return EXIT.ok;
};

export const projectSchema: CommandHandler = async (ctx, _args, options) => {
  const schema = projectJsonSchema();
  const text = `${JSON.stringify(schema, null, 2)}\n`;
  if (typeof options.out === "string") {
    writeFileSync(options.out, text);
    if (ctx.out.json) ctx.out.result({ written: options.out });
    else ctx.out.line(`wrote ${options.out}`);
    return EXIT.ok;
  }
  if (ctx.out.json) ctx.out.result({ schema });
  else ctx.out.line(text.trimEnd());
  return EXIT.ok;
};

export const projectPlan: CommandHandler = async (ctx, _args, options) => {
  const file = fileOf(options);
  const result = load(ctx, options);
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
  if (typeof options.out === "string") {
    writeFileSync(options.out, `${JSON.stringify(ctx.redactor.redact({ ...plan, file }), null, 2)}\n`);
  }
  if (ctx.out.json) {
    ctx.out.result({ file, ...plan, liveRead: { actions: live.actions.length, requests: reads, notes } });
  } else {
    ctx.out.info(
      `${file}: ${result.project.actions.length} actions; tenant: ${live.actions.length} actions read in ${reads} request${reads === 1 ? "" : "s"}`,
    );
    ctx.out.line(formatPlan(plan, ctx.out.colors));
    if (typeof options.out === "string") ctx.out.info(`plan saved to ${options.out}`);
  }
  return options.detailedExitcode === true && planHasChanges(plan) ? EXIT.changes : EXIT.ok;
};
