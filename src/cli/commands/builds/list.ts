import { listBuilds } from "../../../workflows/builds.js";
import type { Handler } from "../../command.js";
import { formatTable } from "../../output.js";
import type { list } from "./index.js";

const iso = (ms: number | undefined) => (ms === undefined ? "-" : new Date(ms).toISOString());

export const run: Handler<typeof list> = async (ctx, { args, options }) => {
  const builds = await listBuilds({ client: await ctx.client() }, args.ref, options.env);
  if (ctx.out.json) {
    ctx.out.result({ count: builds.length, builds });
    return 0;
  }
  if (builds.length === 0) {
    ctx.out.line(`no builds of ${args.ref}${options.env ? ` for ${options.env}` : ""} yet`);
    return 0;
  }
  const c = ctx.out.colors;
  ctx.out.line(
    formatTable(
      ["ID", "ENVIRONMENT", "STATUS", "TRIGGER", "CREATED", "FINISHED"],
      builds.map((b) => [
        b.id,
        b.environmentId,
        b.status === "SUCCEEDED"
          ? c.green(b.status)
          : b.status === "FAILED"
            ? c.red(b.status)
            : c.yellow(b.status),
        b.trigger ?? "-",
        iso(b.createdTimestamp),
        iso(b.finishedTimestamp),
      ]),
      c,
    ),
  );
  ctx.out.line(`${builds.length} build${builds.length === 1 ? "" : "s"}, newest first`);
  return 0;
};
