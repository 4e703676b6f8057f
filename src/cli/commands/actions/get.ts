import type { Action } from "../../../domain/action-schema.js";
import { getAction } from "../../../workflows/actions.js";
import type { Handler } from "../../command.js";
import { UsageError } from "../../exit-codes.js";
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

export const run: Handler<typeof get> = async (ctx, { args, options }) => {
  const action = await getAction(await ctx.workflow(false), args.ref);
  if (options.script === true) {
    if (!action.script)
      throw new UsageError(`${action.name} is a ${action.type} action: it has no script to print`);
    if (ctx.out.json) ctx.out.result({ name: action.name, script: action.script });
    // The script as stored, ending in one newline (through the output's redaction like every line).
    else ctx.out.line(action.script.content.replace(/\n$/, ""));
    return 0;
  }
  if (ctx.out.json) ctx.out.result({ action });
  else ctx.out.line(describeAction(action));
  return 0;
};
