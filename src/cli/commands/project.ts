import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import {
  type ApplyResult,
  type ApplyStepResult,
  applyPlan,
  checkSavedPlan,
  describeStep,
  stepsOf,
} from "../../project/apply.js";
import { confirmApply } from "../../project/confirm.js";
import type { DesiredState } from "../../project/desired-state.js";
import { exportProject } from "../../project/export.js";
import { formatPlan } from "../../project/format-plan.js";
import { computePlan, type Plan, planHasChanges } from "../../project/plan.js";
import { createProgress } from "../../project/progress.js";
import { projectJsonSchema } from "../../project/project-schema.js";
import { readLiveState } from "../../project/read-live-state.js";
import {
  formatProblem,
  loadProject,
  type ProjectValidation,
  projectValidationError,
} from "../../project/validate-project.js";
import type { CommandContext } from "../context.js";
import { EXIT, UsageError } from "../exit-codes.js";
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

/** Reads a plan saved by `cxda plan --out`; its `file` is the default project file. */
function readSavedPlan(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(
      `--plan ${path}: ${code === "ENOENT" ? "no such file" : (code ?? "unreadable")}; save one with cxda plan --out ${path}`,
    );
  }
  try {
    const saved: unknown = JSON.parse(text);
    if (typeof saved === "object" && saved !== null && !Array.isArray(saved))
      return saved as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new UsageError(`--plan ${path} is not a plan saved by cxda plan --out (not a JSON object)`);
}

/** Where a failed step leaves its resource, in words. */
function stateText(r: ApplyStepResult): string {
  if (r.state === "unknown")
    return "the answer was lost, so it may or may not have been written; run cxda plan to see";
  if (r.resource === "action" && r.kind === "create") return "not created";
  if (r.kind === "delete") return "not deleted";
  return "left at its old state";
}

function countsText(result: ApplyResult): string {
  const { created, updated, deleted } = result.applied;
  return `${created} created, ${updated} updated, ${deleted} deleted`;
}

export const projectApply: CommandHandler = async (ctx, _args, options) => {
  const savedPath = typeof options.plan === "string" ? options.plan : undefined;
  const interactive = Boolean(process.stdin.isTTY && process.stderr.isTTY);
  // A saved plan was reviewed when it was made (as with `terraform apply plan.tfplan`).
  const approved = options.autoApprove === true || savedPath !== undefined;
  if (!approved && !interactive)
    throw new UsageError(
      "cxda apply asks for confirmation, but stdin is not a terminal: use --auto-approve in CI (or apply a saved plan with --plan FILE)",
    );
  const saved = savedPath === undefined ? undefined : readSavedPlan(savedPath);
  if (saved && options.prune === true && saved.prune !== true)
    throw new UsageError(
      `--prune: the saved plan ${savedPath} was made without --prune; make a new one with cxda plan --prune --out ${savedPath}`,
    );
  const file =
    typeof options.file === "string"
      ? options.file
      : typeof saved?.file === "string"
        ? saved.file
        : "cxda.yaml";
  const loaded = load(ctx, { ...options, file });
  if (!loaded.ok || !loaded.project) throw projectValidationError(file, loaded.problems);
  const project = loaded.project;

  const client = await ctx.client();
  const before = client.metrics().requests;
  const { live, notes } = await readLiveState(client);
  const reads = client.metrics().requests - before;
  for (const note of notes) ctx.out.warn(note);
  ctx.out.info(
    `${file}: ${project.actions.length} actions; tenant: ${live.actions.length} actions read in ${reads} request${reads === 1 ? "" : "s"}`,
  );
  const prune = saved ? saved.prune === true : options.prune === true;
  let plan: Plan = computePlan(project, live, { prune, refreshSecrets: options.refreshSecrets === true });
  if (saved) {
    try {
      checkSavedPlan(saved, plan, (v) => ctx.redactor.redact(v));
    } catch (error) {
      // The saved plan may have been made with --refresh-secrets: compare with that plan too.
      const refreshed = computePlan(project, live, { prune, refreshSecrets: true });
      try {
        checkSavedPlan(saved, refreshed, (v) => ctx.redactor.redact(v));
      } catch {
        throw error;
      }
      plan = refreshed;
    }
  }

  if (!ctx.out.json) ctx.out.line(formatPlan(plan, ctx.out.colors));
  if (!planHasChanges(plan)) {
    if (ctx.out.json)
      ctx.out.result({
        ok: true,
        file,
        changes: false,
        message: "No changes. Nothing to apply.",
        applied: { created: 0, updated: 0, deleted: 0 },
        failures: [],
        steps: [],
      });
    else ctx.out.line("\nNo changes. Nothing to apply.");
    return EXIT.ok;
  }
  if (!approved) {
    ctx.out.info("\nOnly 'yes' applies; anything else cancels.");
    const yes = await confirmApply(process.stdin, process.stderr);
    if (!yes) {
      ctx.out.info("Apply cancelled; nothing was changed.");
      return EXIT.failed;
    }
  }

  const recorder = await ctx.recorder();
  const total = stepsOf(plan).length;
  const tty = !ctx.out.json && process.stderr.isTTY ? process.stderr : undefined;
  const progress = createProgress({
    total,
    colors: ctx.out.colors,
    ...(tty
      ? {
          tty: {
            write: (text: string) => tty.write(ctx.redactor.redactString(text)),
            columns: tty.columns,
          },
        }
      : { line: (text: string) => ctx.out.line(text) }),
  });
  if (!tty) ctx.out.line("");
  const result = await applyPlan({ client, recorder }, project, plan, {
    onStart: (step) => progress.start(step),
    onDone: (r, p) => progress.done(r, p),
  });
  progress.finish();

  if (ctx.out.json) {
    ctx.out.result({
      ok: result.ok,
      file,
      changes: true,
      plan: { summary: plan.summary, liveDigest: plan.liveDigest },
      applied: result.applied,
      failures: result.failures.map((f) => ({ ...f, operation: describeStep(f), stateText: stateText(f) })),
      steps: result.steps,
    });
    return result.ok ? EXIT.ok : EXIT.failed;
  }
  const c = ctx.out.colors;
  ctx.out.line("");
  if (result.ok) {
    ctx.out.line(
      c.green(`Apply complete: ${countsText(result)} (${total} operation${total === 1 ? "" : "s"}).`),
    );
    return EXIT.ok;
  }
  const failed = result.failures.filter((f) => f.outcome === "failed").length;
  const skipped = result.failures.length - failed;
  ctx.out.line(
    c.red(
      `Apply failed: ${failed} operation${failed === 1 ? "" : "s"} failed${skipped > 0 ? `, ${skipped} not attempted` : ""}; ${countsText(result)} (of ${total}).`,
    ),
  );
  for (const f of result.failures) {
    const mark = f.outcome === "failed" ? c.red("✘") : c.yellow("–");
    ctx.out.line(`  ${mark} ${describeStep(f)}: ${f.reason ?? "unknown error"} → ${stateText(f)}`);
  }
  ctx.out.line(
    "Fix the causes and run cxda apply again: it re-plans, so only what is still missing is written.",
  );
  return EXIT.failed;
};

export const projectExport: CommandHandler = async (ctx, _args, options) => {
  const file =
    typeof options.file === "string"
      ? options.file
      : join(typeof options.out === "string" ? options.out : "cxda-export", "cxda.yaml");
  const dir = dirname(file);
  const client = await ctx.client();
  const exported = await exportProject(client);
  mkdirSync(dir, { recursive: true });
  for (const script of exported.scripts) {
    const path = join(dir, script.path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, script.content);
  }
  writeFileSync(join(dir, "cxda.schema.json"), `${JSON.stringify(projectJsonSchema(), null, 2)}\n`);
  writeFileSync(file, exported.yaml);

  if (ctx.out.json) {
    ctx.out.result({
      file,
      actions: exported.actions,
      scripts: exported.scripts.map((s) => join(dir, s.path)),
      secrets: exported.secrets,
      reports: exported.reports,
      liveRead: { actions: exported.tenantActions, requests: exported.requests },
    });
    return EXIT.ok;
  }
  const n = exported.actions.length;
  ctx.out.line(
    `wrote ${file}: ${n} action${n === 1 ? "" : "s"}, ${exported.scripts.length} script file${exported.scripts.length === 1 ? "" : "s"} (tenant read in ${exported.requests} requests)`,
  );
  for (const r of exported.reports) ctx.out.warn(`${r.what}: ${r.reason}`);
  if (exported.secrets.length > 0) {
    ctx.out.line(
      `${exported.secrets.length} secret${exported.secrets.length === 1 ? " was" : "s were"} written as placeholders; set these environment variables before cxda plan / apply:`,
    );
    for (const s of exported.secrets) {
      const where =
        s.kind === "override"
          ? `override ${s.name} of ${s.action} in ${s.environment}`
          : `${s.kind} ${s.name} of ${s.action}`;
      ctx.out.line(`  ${s.env}  (${where})`);
    }
  } else ctx.out.line("no secrets in the tenant's actions: no environment variables to set");
  ctx.out.line(`next: cxda plan -f ${file} (it shows no changes against this tenant)`);
  return EXIT.ok;
};
