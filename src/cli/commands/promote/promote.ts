import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { promoteInProjectFile, protectedOverrideNames } from "../../../project/promotion.js";
import {
  type ActionPromotionResult,
  applyOverridesPromotion,
  planOverridesPromotion,
} from "../../../workflows/promote.js";
import type { Handler } from "../../command.js";
import { EXIT, UsageError } from "../../exit-codes.js";
import { confirmApply } from "../../ui/confirm.js";
import { formatPromotion } from "../../ui/format-promotion.js";
import { promptStream } from "../../ui/terminal.js";
import type { spec } from "./index.js";

function readProjectFile(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`--file ${path}: ${code === "ENOENT" ? "no such file" : (code ?? "unreadable")}`);
  }
}

export const run: Handler<typeof spec> = async (ctx, { args: { refs = [] }, options }) => {
  const { from, to } = options;
  if (refs.length === 0 && options.all !== true)
    throw new UsageError("name the actions to promote, or give --all for every action");
  if (refs.length > 0 && options.all === true) throw new UsageError("give action names or --all, not both");
  if (from === to) throw new UsageError(`--from and --to are both ${from}; promote into another environment`);
  const file = options.file ?? (existsSync("cxda.yaml") ? "cxda.yaml" : undefined);
  if (options.write === true) return writeFile(ctx, refs, options, file);
  const protectedNames = file ? protectedOverrideNames(readProjectFile(file), [from, to]) : {};

  const client = await ctx.client();
  const plan = await planOverridesPromotion(
    { client },
    {
      from,
      to,
      ...(refs.length > 0 ? { refs: refs } : {}),
      ...(options.only ? { only: options.only } : {}),
      prune: options.prune === true,
      allowDownward: options.allowDownward === true,
      protectedNames,
    },
  );
  const changes = plan.summary.add + plan.summary.update + plan.summary.remove > 0;
  const changedCode = changes && options.detailedExitcode === true ? EXIT.changes : EXIT.ok;
  if (!ctx.out.json) ctx.out.line(formatPromotion(plan, ctx.out.colors));
  if (!changes || options.dryRun === true) {
    if (ctx.out.json)
      ctx.out.result({ changed: changes, dryRun: options.dryRun === true, plan, applied: [] });
    else if (changes) ctx.out.info("\n--dry-run: nothing was sent.");
    return changedCode;
  }
  if (options.autoApprove !== true) {
    const prompt = promptStream();
    if (prompt === undefined)
      throw new UsageError(
        "cxda promote asks for confirmation, but stdin is not a terminal: use --auto-approve in CI, or --dry-run to only see the plan",
      );
    const question = "\nOnly 'yes' promotes; anything else cancels.\nPromote these overrides? (yes/no) ";
    if (!(await confirmApply(process.stdin, prompt, question))) {
      ctx.out.info("Promotion cancelled; nothing was changed.");
      return EXIT.failed;
    }
  }
  const recorder = await ctx.recorder();
  const done = (r: ActionPromotionResult) => {
    if (ctx.out.json) return;
    const removed = r.removed.length > 0 ? `, removed ${r.removed.join(", ")}` : "";
    const build = r.build ? ` (build ${r.build.id} ${r.build.status})` : "";
    ctx.out.line(
      `${ctx.out.colors.green("✓")} ${r.action.name}: promoted ${r.promoted.join(", ") || "nothing"}${removed} into ${to}${build}`,
    );
  };
  if (!ctx.out.json) ctx.out.line("");
  const result = await applyOverridesPromotion({ client, recorder }, plan, done);
  if (ctx.out.json)
    ctx.out.result({ changed: changes, dryRun: false, plan, applied: result.actions, count: result.count });
  else
    ctx.out.line(
      `\nPromoted ${plan.summary.add + plan.summary.update} override${plan.summary.add + plan.summary.update === 1 ? "" : "s"} from ${from} into ${to} in ${result.count} action${result.count === 1 ? "" : "s"}; check with cxda drift --baseline ${from} --target ${to}`,
    );
  return changedCode;
};

/** `--write`: the project file's `to` blocks rewritten from the `from` blocks; the tenant is not touched. */
function writeFile(
  ctx: Parameters<Handler<typeof spec>>[0],
  refs: string[],
  options: Parameters<Handler<typeof spec>>[1]["options"],
  file: string | undefined,
): number {
  if (file === undefined)
    throw new UsageError(
      "--write rewrites a project file: run it next to cxda.yaml or name the file with -f",
    );
  const text = readProjectFile(file);
  const result = promoteInProjectFile(text, {
    from: options.from,
    to: options.to,
    ...(refs.length > 0 ? { actions: refs } : {}),
    ...(options.only ? { only: options.only } : {}),
    prune: options.prune === true,
  });
  if (result.unknownActions.length > 0)
    throw new UsageError(`${file} has no action ${result.unknownActions.join(", ")}; name actions it lists`);
  if (result.missing.length > 0)
    throw new UsageError(
      `--only: ${result.missing.join(", ")} ${result.missing.length === 1 ? "is" : "are"} not in any ${options.from} block of ${file}`,
    );
  const changed = result.changes.length > 0;
  if (changed && options.dryRun !== true) writeFileSync(file, result.text);
  if (ctx.out.json)
    ctx.out.result({ file, changed, dryRun: options.dryRun === true, changes: result.changes });
  else {
    for (const c of result.changes)
      ctx.out.line(
        `~ ${c.action}: ${options.to} gets ${c.copied.join(", ") || "nothing"} from ${options.from}${c.removed.length > 0 ? `, drops ${c.removed.join(", ")}` : ""}`,
      );
    ctx.out.line(
      changed
        ? options.dryRun === true
          ? `--dry-run: ${file} was not written.`
          : `${file} updated; review it, then run cxda plan -f ${file} and cxda apply -f ${file}`
        : `No changes: the ${options.to} blocks of ${file} already match ${options.from}.`,
    );
  }
  return changed && options.detailedExitcode === true ? EXIT.changes : EXIT.ok;
}
