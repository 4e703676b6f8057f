import { readFileSync } from "node:fs";
import {
  type ApplyResult,
  type ApplyStepResult,
  applyPlan,
  checkSavedPlan,
  describeStep,
  stepsOf,
} from "../../../project/apply.js";
import { computePlan, type Plan, planHasChanges } from "../../../project/plan.js";
import { readLiveState } from "../../../project/read-live-state.js";
import { projectValidationError } from "../../../project/validate-project.js";
import type { Handler } from "../../command.js";
import { EXIT, UsageError } from "../../exit-codes.js";
import { confirmApply } from "../../ui/confirm.js";
import { formatPlan } from "../../ui/format-plan.js";
import { createProgress } from "../../ui/progress.js";
import { promptStream } from "../../ui/terminal.js";
import type { applySpec } from "./index.js";
import { load } from "./load.js";

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

export const run: Handler<typeof applySpec> = async (ctx, { options }) => {
  const savedPath = options.plan;
  const prompt = promptStream();
  // A saved plan was reviewed when it was made (as with `terraform apply plan.tfplan`).
  const approved = options.autoApprove === true || savedPath !== undefined;
  if (!approved && prompt === undefined)
    throw new UsageError(
      "cxda apply asks for confirmation, but stdin is not a terminal: use --auto-approve in CI (or apply a saved plan with --plan FILE)",
    );
  const saved = savedPath === undefined ? undefined : readSavedPlan(savedPath);
  if (saved && options.prune === true && saved.prune !== true)
    throw new UsageError(
      `--prune: the saved plan ${savedPath} was made without --prune; make a new one with cxda plan --prune --out ${savedPath}`,
    );
  const file = options.file ?? (typeof saved?.file === "string" ? saved.file : "cxda.yaml");
  const loaded = load(ctx, file, options);
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
        changed: false,
        message: "No changes. Nothing to apply.",
        applied: { created: 0, updated: 0, deleted: 0 },
        failures: [],
        steps: [],
      });
    else ctx.out.line("\nNo changes. Nothing to apply.");
    return EXIT.ok;
  }
  if (!approved) {
    const yes = await confirmApply(
      process.stdin,
      prompt ?? process.stderr,
      "\nOnly 'yes' applies; anything else cancels.\nApply these changes? (yes/no) ",
    );
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
    colors: ctx.out.errorColors,
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
    onBatch: (b) => {
      if (b.stage === "sent")
        ctx.out.info(
          `batch ${b.sequence}/${b.total} sent (${b.operations} operation${b.operations === 1 ? "" : "s"})`,
        );
      else if (b.total > 1) ctx.out.info(`changeset committed (${b.total} batches)`);
    },
  });
  progress.finish();
  const locate = (path: readonly (string | number)[] | undefined): string => {
    if (path === undefined || !loaded.locate) return "";
    const at = loaded.locate(path);
    return `${file}:${at.line}:${at.column}`;
  };
  const errors = (result.errors ?? []).map((e) => ({
    ...e,
    ...(e.filePath ? { location: locate(e.filePath) } : {}),
  }));

  if (ctx.out.json) {
    ctx.out.result({
      ok: result.ok,
      file,
      changed: true,
      via: result.via,
      ...(result.deploymentId !== undefined
        ? { deploymentId: result.deploymentId, revision: result.revision, changesetId: result.changesetId }
        : {}),
      ...(result.batches !== undefined ? { batches: result.batches } : {}),
      ...(errors.length > 0 ? { errors } : {}),
      plan: {
        summary: plan.summary,
        ...(plan.baseRevision !== undefined ? { baseRevision: plan.baseRevision } : {}),
        ...(plan.liveDigest !== undefined ? { liveDigest: plan.liveDigest } : {}),
      },
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
    if (result.deploymentId !== undefined)
      ctx.out.line(
        `Deployment ${result.deploymentId} (tenant revision ${result.revision}); undo it with cxda deployments rollback ${result.deploymentId}`,
      );
    return EXIT.ok;
  }
  if (result.via === "changeset") {
    const unknown = result.failures.some((f) => f.state === "unknown");
    ctx.out.line(
      c.red(
        unknown
          ? "Apply failed: the changeset's answer was lost, so it may or may not have been committed; run cxda plan to see."
          : "Apply failed: the changeset was refused, so nothing was applied.",
      ),
    );
    for (const e of errors) {
      const where = [e.operation, e.location].filter((x) => x !== undefined && x !== "").join(" at ");
      ctx.out.line(
        `  ${c.red("✘")} ${where === "" ? "" : `${where}: `}${e.message}${e.path && !e.message.includes(e.path) ? c.dim(` (${e.path})`) : ""}`,
      );
    }
    ctx.out.line(
      result.failures[0]?.slug === "precondition-failed"
        ? "The tenant changed after the plan was read; run cxda apply again: it re-plans."
        : "Fix the causes and run cxda apply again.",
    );
    return EXIT.failed;
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
