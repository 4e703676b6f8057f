import type { Handler } from "../../command.js";
import { readOverridesFile } from "./file.js";
import type { validate } from "./index.js";

export const run: Handler<typeof validate> = async (ctx, { options }) => {
  const path = options.file;
  const variables = readOverridesFile(ctx, path);
  if (ctx.out.json)
    ctx.out.result({ valid: true, file: path, count: variables.length, names: variables.map((v) => v.name) });
  else ctx.out.line(`${path}: ${variables.length} override${variables.length === 1 ? "" : "s"}, all valid`);
  return 0;
};
