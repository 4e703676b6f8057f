import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parse } from "yaml";
import { makePrivateDirs, writePrivateFile } from "../../../files/private-files.js";
import { exportProject } from "../../../project/export.js";
import { projectJsonSchema } from "../../../project/project-schema.js";
import type { Handler } from "../../command.js";
import { EXIT, UsageError } from "../../exit-codes.js";
import type { exportSpec } from "./index.js";

export const run: Handler<typeof exportSpec> = async (ctx, { options }) => {
  const file = options.file ?? join(options.out ?? "cxda-export", "cxda.yaml");
  const dir = dirname(file);
  const schemaFile = join(dir, "cxda.schema.json");
  if (options.force !== true && existsSync(file)) throw overwriteRefused([file]);
  const existing = existsSync(file) ? readExisting(file) : undefined;
  const client = await ctx.client();
  const exported = await exportProject(client, existing === undefined ? {} : { existing });
  const targets = [file, schemaFile, ...exported.scripts.map((s) => join(dir, s.path))];
  const taken = targets.filter((path) => existsSync(path));
  if (options.force !== true && taken.length > 0) throw overwriteRefused(taken);
  // Only the owner may read an export: 0700 directories and 0600 files (issue 15 item 8).
  makePrivateDirs(dir);
  for (const script of exported.scripts) {
    const path = join(dir, script.path);
    makePrivateDirs(dirname(path));
    writePrivateFile(path, script.content);
  }
  writePrivateFile(schemaFile, `${JSON.stringify(projectJsonSchema(), null, 2)}\n`);
  writePrivateFile(file, exported.yaml);

  if (ctx.out.json) {
    ctx.out.result({
      file,
      actions: exported.actions,
      scripts: exported.scripts.map((s) => join(dir, s.path)),
      secrets: exported.secrets,
      reports: exported.reports,
      liveRead: { actionCount: exported.tenantActions, requestCount: exported.requests },
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

/** Export never overwrites a file unless told to: a hand-edited cxda.yaml is worth more than an export. */
function overwriteRefused(paths: string[]): UsageError {
  const shown = paths.slice(0, 5).join(", ") + (paths.length > 5 ? `, … (${paths.length} in all)` : "");
  return new UsageError(
    `export would overwrite ${paths.length === 1 ? "an existing file" : `${paths.length} existing files`}: ${shown}; ` +
      "pass --force to overwrite (secrets keep the placeholders the existing cxda.yaml uses), or -o DIR to write elsewhere",
  );
}

/** The project file being exported over, parsed; unreadable or not YAML, it has no placeholders to keep. */
function readExisting(file: string): unknown {
  try {
    return parse(readFileSync(file, "utf8"));
  } catch {
    return undefined;
  }
}
