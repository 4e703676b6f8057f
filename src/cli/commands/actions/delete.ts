import { deleteAction } from "../../../workflows/actions.js";
import type { Handler } from "../../command.js";
import { EXIT, UsageError } from "../../exit-codes.js";
import { confirmApply } from "../../ui/confirm.js";
import { promptStream } from "../../ui/terminal.js";
import type { remove } from "./index.js";

export const run: Handler<typeof remove> = async (ctx, { args, options }) => {
  // A dry run sends no delete, so there is nothing to confirm.
  if (options.yes !== true && options.dryRun !== true) {
    const prompt = promptStream();
    if (prompt === undefined)
      throw new UsageError(
        `cxda actions delete asks for confirmation, but stdin is not a terminal: add --yes to delete ${args.ref}`,
      );
    if (!(await confirmApply(process.stdin, prompt, `Delete action ${args.ref}? (yes/no) `))) {
      ctx.out.info("Delete cancelled; nothing was changed.");
      return EXIT.failed;
    }
  }
  const deleted = await deleteAction(await ctx.workflow(true), args.ref);
  if (ctx.out.json) ctx.out.result({ deleted });
  else ctx.out.line(`deleted ${deleted.name} (${deleted.id})`);
  return 0;
};
