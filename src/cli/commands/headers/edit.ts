/** `cxda headers set | unset | replace`: one version-checked edit each, re-applied on a conflict. */
import { MAX_HEADER_BYTES } from "../../../domain/headers.js";
import {
  type HeaderEditResult,
  replaceHeaders,
  setHeaders,
  unsetHeaders,
} from "../../../workflows/headers.js";
import type { Handler } from "../../command.js";
import type { CommandContext } from "../../context.js";
import { UsageError } from "../../exit-codes.js";
import type { replace, set, unset } from "./index.js";
import { headersFromFile, parsePairs } from "./input.js";

export const runSet: Handler<typeof set> = async (ctx, { args }) => {
  const { ref, pairs } = args;
  if (pairs.length === 0) throw new UsageError("headers set needs at least one NAME=VALUE");
  const headers = parsePairs(ctx, pairs);
  const result = await setHeaders(await ctx.workflow(true), ref, headers);
  report(ctx, result);
  return 0;
};

export const runUnset: Handler<typeof unset> = async (ctx, { args }) => {
  const { ref, names } = args;
  if (names.length === 0) throw new UsageError("headers unset needs at least one NAME");
  const withEquals = names.find((n) => n.includes("="));
  if (withEquals !== undefined)
    throw new UsageError(
      `headers unset takes names only, got '${withEquals.split("=")[0]}=…'; drop the '=VALUE'`,
    );
  const result = await unsetHeaders(await ctx.workflow(true), ref, names);
  const gone = new Set(result.removed.map((n) => n.toLowerCase()));
  const absent = names.filter((n) => !gone.has(n.toLowerCase()));
  report(ctx, result, absent);
  return 0;
};

export const runReplace: Handler<typeof replace> = async (ctx, { args, options }) => {
  const headers = headersFromFile(ctx, options.file);
  const result = await replaceHeaders(await ctx.workflow(true), args.ref, headers);
  report(ctx, result);
  return 0;
};

function report(ctx: CommandContext, r: HeaderEditResult, absent: string[] = []): void {
  const summary = {
    action: { id: r.action.id, name: r.action.name, version: r.action.version },
    unchanged: r.unchanged,
    added: r.added,
    changed: r.changed,
    removed: r.removed,
    ...(absent.length > 0 ? { absent } : {}),
    count: Object.keys(r.action.config.headers).length,
    bytesBefore: r.bytesBefore,
    bytesAfter: r.bytesAfter,
    writes: r.attempts,
    conflicts: r.conflicts,
  };
  if (ctx.out.json) {
    ctx.out.result(summary);
    return;
  }
  const c = ctx.out.colors;
  if (absent.length > 0) ctx.out.info(`not present (nothing to remove): ${absent.join(", ")}`);
  if (r.unchanged) {
    ctx.out.line(
      `${r.action.name}: headers already as requested; nothing written (version ${r.action.version})`,
    );
    return;
  }
  const parts = [
    r.added.length > 0 ? `added ${r.added.join(", ")}` : "",
    r.changed.length > 0 ? `changed ${r.changed.join(", ")}` : "",
    r.removed.length > 0 ? `removed ${r.removed.join(", ")}` : "",
  ].filter(Boolean);
  ctx.out.line(`${c.green("✔")} ${r.action.name}: ${parts.join("; ")}`);
  const retried =
    r.conflicts > 0 ? `, re-applied after ${r.conflicts} conflict${r.conflicts === 1 ? "" : "s"}` : "";
  ctx.out.line(
    `  version ${r.action.version}; ${summary.count} header${summary.count === 1 ? "" : "s"}, ${r.bytesBefore} → ${r.bytesAfter} of ${MAX_HEADER_BYTES} bytes${retried}`,
  );
}
