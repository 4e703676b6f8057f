import { deleteAction } from "../../../workflows/actions.js";
import type { Handler } from "../../command.js";
import type { remove } from "./index.js";

export const run: Handler<typeof remove> = async (ctx, { args }) => {
  const deleted = await deleteAction(await ctx.workflow(true), args.ref);
  if (ctx.out.json) ctx.out.result({ deleted });
  else ctx.out.line(`deleted ${deleted.name} (${deleted.id})`);
  return 0;
};
