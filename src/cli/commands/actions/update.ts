/**
 * `cxda actions update <ref>`: the script, description or dependencies of an existing action, sent
 * through the updateAction workflow (version read, re-applied on a conflict); prints what changed.
 */
import { ValidationError } from "../../../errors.js";
import { type FieldChange, updateAction } from "../../../workflows/update-action.js";
import type { Handler } from "../../command.js";
import type { CommandContext } from "../../context.js";
import { EXIT, UsageError } from "../../exit-codes.js";
import { STDIN_NAME } from "../../input-file.js";
import { formatUnifiedDiff } from "../../ui/format-plan.js";
import type { update } from "./index.js";
import { inFile, parseDependsOn, readScriptFile } from "./script-file.js";

export const run: Handler<typeof update> = async (ctx, { args, options }) => {
  const { script: file, description, dependsOn } = options;
  if (file === undefined && description === undefined && dependsOn === undefined)
    throw new UsageError(
      `nothing to update: give --script FILE, --description TEXT or --depends-on NAMES (e.g. cxda actions update ${args.ref} --script ${args.ref}.js)`,
    );
  const shownFile = file === "-" ? STDIN_NAME : file;
  const script = file === undefined ? undefined : await readScriptFile(file);
  const dependencies = parseDependsOn(dependsOn);
  let result: Awaited<ReturnType<typeof updateAction>>;
  try {
    result = await updateAction(await ctx.workflow(true), args.ref, {
      ...(script === undefined ? {} : { script }),
      ...(description === undefined ? {} : { description }),
      ...(dependencies === undefined ? {} : { dependencies }),
    });
  } catch (error) {
    throw error instanceof ValidationError && shownFile !== undefined ? inFile(error, shownFile) : error;
  }
  const { action, changes, fromVersion } = result;
  if (ctx.out.json) {
    ctx.out.result({ updated: changes.length > 0, fromVersion, action, changes });
    return EXIT.ok;
  }
  if (changes.length === 0) {
    ctx.out.line(`${action.name} already is as asked (version ${action.version}); nothing was sent`);
    return EXIT.ok;
  }
  const retried = result.conflictRetries > 0 ? ` after ${result.conflictRetries} conflict(s)` : "";
  ctx.out.line(`updated ${action.name} (version ${fromVersion} → ${action.version})${retried}`);
  for (const change of changes) printChange(ctx, change);
  return EXIT.ok;
};

function printChange(ctx: CommandContext, change: FieldChange): void {
  const c = ctx.out.colors;
  switch (change.field) {
    case "script":
      ctx.out.line(`  script        +${change.added} −${change.removed} lines`);
      for (const line of formatUnifiedDiff(change.unifiedDiff, c)) ctx.out.line(`      ${line}`);
      return;
    case "description":
      ctx.out.line(`  description   ${JSON.stringify(change.before)} → ${JSON.stringify(change.after)}`);
      return;
    case "dependencies": {
      const list = (names: string[]) => (names.length === 0 ? "(none)" : names.join(", "));
      ctx.out.line(`  depends on    ${list(change.before)} → ${list(change.after)}`);
      return;
    }
  }
}
