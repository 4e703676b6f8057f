import type { Action } from "../../../domain/action-schema.js";
import { getAction } from "../../../workflows/actions.js";
import type { Handler } from "../../command.js";
import type { get } from "./index.js";

export function describeAction(action: Action): string {
  const lines = [
    `${action.name}  (${action.type}, version ${action.version}${action.locked ? ", locked" : ""})`,
    `  id           ${action.id}`,
  ];
  if (action.description) lines.push(`  description  ${action.description}`);
  lines.push(`  depends on   ${action.dependencies?.length ? action.dependencies.join(", ") : "-"}`);
  const headers = Object.keys(action.config?.headers ?? {});
  lines.push(`  headers      ${headers.length > 0 ? headers.join(", ") : "-"}`);
  if (action.config?.request)
    lines.push(`  request      ${action.config.request.method} ${action.config.request.urlTemplate}`);
  if (action.script)
    lines.push(
      `  script       ${Buffer.byteLength(action.script.content, "utf8")} bytes of ${action.script.language}`,
    );
  lines.push(`  modified     ${new Date(action.modifiedTimestamp).toISOString()}`);
  return lines.join("\n");
}

export const run: Handler<typeof get> = async (ctx, { args }) => {
  const action = await getAction(await ctx.workflow(false), args.ref);
  if (ctx.out.json) ctx.out.result({ action });
  else ctx.out.line(describeAction(action));
  return 0;
};
