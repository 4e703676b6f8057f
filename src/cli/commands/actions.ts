import type { Action } from "../../domain/action-schema.js";
import { deleteAction, getAction, listActions } from "../../workflows/actions.js";
import type { CommandContext } from "../context.js";
import { formatTable } from "../output.js";
import type { CommandHandler } from "../program.js";

async function workflowContext(ctx: CommandContext, mutating: boolean) {
  const recorder = mutating ? await ctx.recorder() : undefined;
  return { client: await ctx.client(), recorder };
}

export const actionsList: CommandHandler = async (ctx, _args, options) => {
  const nameContains = typeof options.nameContains === "string" ? options.nameContains : undefined;
  const actions = await listActions(await workflowContext(ctx, false), nameContains ? { nameContains } : {});
  if (ctx.out.json) {
    ctx.out.result({ total: actions.length, actions });
    return 0;
  }
  if (actions.length === 0) {
    ctx.out.line(nameContains ? `no actions whose name contains '${nameContains}'` : "no actions yet");
    return 0;
  }
  ctx.out.line(
    formatTable(
      ["NAME", "TYPE", "VERSION", "DEPENDS ON", "ENABLED", "MODIFIED"],
      actions.map((a) => [
        a.name + (a.locked ? " (locked)" : ""),
        a.type,
        String(a.version),
        a.dependencies?.join(",") || "-",
        a.enabled === false ? "no" : "yes",
        new Date(a.modifiedTimestamp).toISOString(),
      ]),
      ctx.out.colors,
    ),
  );
  ctx.out.line(`${actions.length} action${actions.length === 1 ? "" : "s"}`);
  return 0;
};

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

export const actionsGet: CommandHandler = async (ctx, args) => {
  const action = await getAction(await workflowContext(ctx, false), args[0]!);
  if (ctx.out.json) ctx.out.result({ action });
  else ctx.out.line(describeAction(action));
  return 0;
};

export const actionsDelete: CommandHandler = async (ctx, args) => {
  const deleted = await deleteAction(await workflowContext(ctx, true), args[0]!);
  if (ctx.out.json) ctx.out.result({ deleted });
  else ctx.out.line(`deleted ${deleted.name} (${deleted.id})`);
  return 0;
};
