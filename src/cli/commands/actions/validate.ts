/** `cxda actions validate`: the script checked offline; 65 with `FILE:LINE:COLUMN` issues when invalid. */
import { validateActionPayload } from "../../../domain/action-rules.js";
import { ValidationError } from "../../../errors.js";
import type { Handler } from "../../command.js";
import { EXIT } from "../../exit-codes.js";
import { STDIN_NAME } from "../../input-file.js";
import type { validate } from "./index.js";
import { inFile, readScriptFile, scriptSpec } from "./script-file.js";

/** Stands in for the name when none is given (the name rules are then skipped). */
const PLACEHOLDER_NAME = "validate_only";

export const run: Handler<typeof validate> = async (ctx, { options }) => {
  const { script: file, name } = options;
  const content = await readScriptFile(file);
  const spec = scriptSpec(name ?? PLACEHOLDER_NAME, content, options);
  const result = validateActionPayload(spec);
  if (!result.ok)
    throw inFile(
      new ValidationError(result.issues[0]!.message, { issues: result.issues }),
      file === "-" ? STDIN_NAME : file,
    );
  const bytes = Buffer.byteLength(content, "utf8");
  const dependencies = spec.dependencies ?? [];
  if (ctx.out.json) {
    ctx.out.result({ ok: true, file, ...(name === undefined ? {} : { name }), bytes, dependencies });
    return EXIT.ok;
  }
  ctx.out.line(
    `${file}: ok — parses as ECMAScript 2022, declares main, ${bytes} bytes${name === undefined ? "" : `, name ${name}`}`,
  );
  if (dependencies.length > 0)
    ctx.out.info(`dependencies ${dependencies.join(", ")} are checked against the tenant on create`);
  return EXIT.ok;
};
