import { writeFileSync } from "node:fs";
import { projectJsonSchema } from "../../../project/project-schema.js";
import type { Handler } from "../../command.js";
import { EXIT } from "../../exit-codes.js";
import type { schemaSpec } from "./index.js";

export const run: Handler<typeof schemaSpec> = async (ctx, { options }) => {
  const schema = projectJsonSchema();
  const text = `${JSON.stringify(schema, null, 2)}\n`;
  if (options.out !== undefined) {
    writeFileSync(options.out, text);
    if (ctx.out.json) ctx.out.result({ written: options.out });
    else ctx.out.line(`wrote ${options.out}`);
    return EXIT.ok;
  }
  if (ctx.out.json) ctx.out.result({ schema });
  else ctx.out.line(text.trimEnd());
  return EXIT.ok;
};
