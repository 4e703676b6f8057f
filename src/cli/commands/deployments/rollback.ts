import { ConflictError } from "../../../errors.js";
import { planRollback, rollbackDeployment } from "../../../workflows/deployments.js";
import type { Handler } from "../../command.js";
import { EXIT, UsageError } from "../../exit-codes.js";
import { formatTable } from "../../output.js";
import { confirmApply } from "../../ui/confirm.js";
import { promptStream } from "../../ui/terminal.js";
import type { rollback } from "./index.js";
import { resourceText, version } from "./show.js";

type Ctx = Parameters<Handler<typeof rollback>>[0];
type RollbackPlan = Awaited<ReturnType<typeof planRollback>>;

/** The rollback's plan as a table: each resource, what the rollback does to it, and whether it changed since. */
function printPlan(ctx: Ctx, plan: RollbackPlan, heading: string): void {
  const c = ctx.out.colors;
  ctx.out.line(heading);
  ctx.out.line(
    formatTable(
      ["RESOURCE", "DOES", "NOW", "BACK TO", ""],
      plan.steps.map((s) => [
        resourceText(s.resource),
        s.action === "delete"
          ? "delete (the deployment created it)"
          : s.action === "recreate"
            ? "re-create"
            : "restore",
        s.currentVersion === undefined ? "?" : version(s.currentVersion),
        version(s.resource.beforeVersion),
        s.conflict ? c.red("changed since") : "",
      ]),
      c,
    ),
  );
  if (plan.conflicts > 0)
    ctx.out.line(
      c.red(
        `${plan.conflicts} resource${plan.conflicts === 1 ? "" : "s"} changed since the deployment: the rollback would be refused unless --force (which discards those changes).`,
      ),
    );
}

export const run: Handler<typeof rollback> = async (ctx, { args, options }) => {
  // A rollback rewrites whatever the deployment touched: on a terminal it shows its plan and asks; elsewhere --yes says so.
  if (options.dryRun !== true && options.yes !== true) {
    const prompt = promptStream();
    if (prompt === undefined)
      throw new UsageError(
        `cxda deployments rollback asks for confirmation, but stdin is not a terminal: add --yes to roll back ${args.id} (--dry-run shows what it would restore)`,
      );
    const plan = await planRollback({ client: await ctx.client() }, args.id);
    printPlan(ctx, plan, `Rolling back ${args.id} will:`);
    if (!(await confirmApply(process.stdin, prompt, `Roll back deployment ${args.id}? (yes/no) `))) {
      ctx.out.info("Rollback cancelled; nothing was changed.");
      return EXIT.failed;
    }
  }
  if (options.dryRun === true) {
    const plan = await planRollback({ client: await ctx.client() }, args.id);
    if (ctx.out.json) {
      ctx.out.result({
        dryRun: true,
        sent: false,
        deploymentId: args.id,
        steps: plan.steps,
        conflicts: plan.conflicts,
      });
      return 0;
    }
    printPlan(
      ctx,
      plan,
      `${ctx.out.colors.yellow("dry run:")} nothing was sent. Rolling back ${args.id} would:`,
    );
    return 0;
  }
  let outcome: Awaited<ReturnType<typeof rollbackDeployment>>;
  try {
    outcome = await rollbackDeployment(await ctx.workflow(true), args.id, {
      force: options.force === true,
      ...(options.description === undefined ? {} : { description: options.description }),
    });
  } catch (error) {
    if (!(error instanceof ConflictError && error.slug === "rollback-conflict")) throw error;
    // The server names the resources; the CLI's way to see and to overwrite them.
    throw new ConflictError(
      `${error.message} With cxda: --dry-run shows what changed since, --force restores it anyway.`,
      {
        status: error.status ?? 409,
        slug: error.slug,
        ...(error.requestId === undefined ? {} : { requestId: error.requestId }),
        issues: error.issues,
        attempts: error.attempts,
      },
    );
  }
  if (ctx.out.json) {
    ctx.out.result({
      rolledBack: args.id,
      deploymentId: outcome.rollback.deploymentId,
      revision: outcome.rollback.revision,
      force: outcome.force,
      actions: outcome.actions,
    });
    return 0;
  }
  ctx.out.line(
    ctx.out.colors.green(
      `Rolled back ${args.id}: ${outcome.actions.length} action${outcome.actions.length === 1 ? "" : "s"} restored (${outcome.actions.join(", ")}).`,
    ),
  );
  ctx.out.line(
    `The rollback is deployment ${outcome.rollback.deploymentId} (tenant revision ${outcome.rollback.revision}).`,
  );
  return 0;
};
