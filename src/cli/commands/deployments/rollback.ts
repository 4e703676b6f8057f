import { ConflictError } from "../../../errors.js";
import { planRollback, rollbackDeployment } from "../../../workflows/deployments.js";
import type { Handler } from "../../command.js";
import { formatTable } from "../../output.js";
import type { rollback } from "./index.js";
import { resourceText, version } from "./show.js";

export const run: Handler<typeof rollback> = async (ctx, { args, options }) => {
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
    const c = ctx.out.colors;
    ctx.out.line(`${c.yellow("dry run:")} nothing was sent. Rolling back ${args.id} would:`);
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
