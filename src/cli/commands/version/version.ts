import { readFileSync } from "node:fs";
import { API_VERSION } from "../../../client/api-version.js";
import { packageFile } from "../../../files/package-root.js";
import type { Handler } from "../../command.js";
import { formatTable } from "../../output.js";
import type { versionSpec } from "./index.js";

/** What `npm run build` records in dist/build-info.json (scripts/write-build-info.mjs). */
interface BuildInfo {
  version: string;
  commit: string;
  dirty?: boolean;
}

function readBuildInfo(): BuildInfo {
  const pkg = JSON.parse(readFileSync(packageFile("package.json"), "utf8")) as {
    version: string;
  };
  try {
    const info = JSON.parse(
      readFileSync(packageFile("dist", "build-info.json"), "utf8"),
    ) as Partial<BuildInfo>;
    return {
      version: pkg.version,
      commit: typeof info.commit === "string" ? info.commit : "unknown",
      ...(typeof info.dirty === "boolean" ? { dirty: info.dirty } : {}),
    };
  } catch {
    return { version: pkg.version, commit: "unknown" };
  }
}

export const run: Handler<typeof versionSpec> = async (ctx) => {
  const info = readBuildInfo();
  const data = {
    version: info.version,
    commit: info.commit,
    ...(info.dirty === undefined ? {} : { dirty: info.dirty }),
    node: process.versions.node,
    platform: `${process.platform}-${process.arch}`,
    apiVersion: API_VERSION,
  };
  if (ctx.out.json) {
    ctx.out.result(data);
    return 0;
  }
  const commit = `${data.commit}${info.dirty ? " (with uncommitted changes)" : ""}`;
  ctx.out.line(
    formatTable(
      ["", ""],
      [
        ["cxda", data.version],
        ["commit", commit],
        ["node", data.node],
        ["platform", data.platform],
        ["API", `${data.apiVersion} (/api/${data.apiVersion})`],
      ],
    )
      .split("\n")
      .slice(1)
      .join("\n"),
  );
  return 0;
};
