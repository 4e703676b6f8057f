import { dirname, join } from "node:path";
import { makePrivateDirs, writePrivateFile } from "../../../files/private-files.js";
import { exportProject } from "../../../project/export.js";
import { projectJsonSchema } from "../../../project/project-schema.js";
import type { Handler } from "../../command.js";
import { EXIT } from "../../exit-codes.js";
import type { exportSpec } from "./index.js";

export const run: Handler<typeof exportSpec> = async (ctx, { options }) => {
  const file = options.file ?? join(options.out ?? "cxda-export", "cxda.yaml");
  const dir = dirname(file);
  const client = await ctx.client();
  const exported = await exportProject(client);
  // Only the owner may read an export: 0700 directories and 0600 files (issue 15 item 8).
  makePrivateDirs(dir);
  for (const script of exported.scripts) {
    const path = join(dir, script.path);
    makePrivateDirs(dirname(path));
    writePrivateFile(path, script.content);
  }
  writePrivateFile(join(dir, "cxda.schema.json"), `${JSON.stringify(projectJsonSchema(), null, 2)}\n`);
  writePrivateFile(file, exported.yaml);

  if (ctx.out.json) {
    ctx.out.result({
      file,
      actions: exported.actions,
      scripts: exported.scripts.map((s) => join(dir, s.path)),
      secrets: exported.secrets,
      reports: exported.reports,
      liveRead: { actions: exported.tenantActions, requests: exported.requests },
    });
    return EXIT.ok;
  }
  const n = exported.actions.length;
  ctx.out.line(
    `wrote ${file}: ${n} action${n === 1 ? "" : "s"}, ${exported.scripts.length} script file${exported.scripts.length === 1 ? "" : "s"} (tenant read in ${exported.requests} requests)`,
  );
  for (const r of exported.reports) ctx.out.warn(`${r.what}: ${r.reason}`);
  if (exported.secrets.length > 0) {
    ctx.out.line(
      `${exported.secrets.length} secret${exported.secrets.length === 1 ? " was" : "s were"} written as placeholders; set these environment variables before cxda plan / apply:`,
    );
    for (const s of exported.secrets) {
      const where =
        s.kind === "override"
          ? `override ${s.name} of ${s.action} in ${s.environment}`
          : `${s.kind} ${s.name} of ${s.action}`;
      ctx.out.line(`  ${s.env}  (${where})`);
    }
  } else ctx.out.line("no secrets in the tenant's actions: no environment variables to set");
  ctx.out.line(`next: cxda plan -f ${file} (it shows no changes against this tenant)`);
  return EXIT.ok;
};
