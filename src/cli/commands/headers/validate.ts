import { headerBytes, MAX_HEADER_BYTES, validateHeaders } from "../../../domain/headers.js";
import type { Handler } from "../../command.js";
import { UsageError } from "../../exit-codes.js";
import type { validate } from "./index.js";
import { headersFromFile, parsePairs, refused } from "./input.js";

export const run: Handler<typeof validate> = async (ctx, { args, options }) => {
  const { file } = options;
  const { pairs } = args;
  if (file !== undefined && pairs.length > 0)
    throw new UsageError("give either NAME=VALUE arguments or -f FILE, not both");
  if (file === undefined && pairs.length === 0)
    throw new UsageError("give NAME=VALUE arguments or -f FILE to validate");
  const headers = file !== undefined ? headersFromFile(ctx, file, true) : parsePairs(ctx, pairs, true);
  const result = validateHeaders(headers);
  if (!result.ok) throw refused(result.issues, true);
  const names = Object.keys(headers);
  const total = names.reduce((n, name) => n + headerBytes(name, headers[name]!), 0);
  if (ctx.out.json) {
    ctx.out.result({ ok: true, count: names.length, totalBytes: total, limitBytes: MAX_HEADER_BYTES, names });
    return 0;
  }
  ctx.out.line(
    `${ctx.out.colors.green("✔")} ${names.length} header${names.length === 1 ? "" : "s"} valid (${total} of ${MAX_HEADER_BYTES} bytes): ${names.join(", ") || "-"}`,
  );
  return 0;
};
