import { REDACTED } from "../../../audit/redactor.js";
import { isCredentialHeader } from "../../../domain/credential-header.js";
import { headerBytes, MAX_HEADER_BYTES } from "../../../domain/headers.js";
import { getHeaders } from "../../../workflows/headers.js";
import type { Handler } from "../../command.js";
import type { get } from "./index.js";

export const run: Handler<typeof get> = async (ctx, { args, options }) => {
  const show = options.showValues === true;
  const { action, headers, totalBytes } = await getHeaders(await ctx.workflow(false), args.ref);
  const entries = Object.entries(headers).map(([name, value]) => {
    const masked = !show && isCredentialHeader(name, value);
    return { name, value: masked ? REDACTED : value, bytes: headerBytes(name, value), masked };
  });
  if (ctx.out.json) {
    // A list, not a name → value map: the printer masks credential-like keys of a `headers` map itself.
    ctx.out.result(
      {
        action: { id: action.id, name: action.name, version: action.version },
        headers: entries,
        count: entries.length,
        totalBytes,
        limitBytes: MAX_HEADER_BYTES,
      },
      { unmasked: show },
    );
    return 0;
  }
  if (entries.length === 0) {
    ctx.out.line(`${action.name} (version ${action.version}) has no headers`);
    return 0;
  }
  // --show-values prints what the API returned, as is.
  ctx.out.table(
    ["NAME", "VALUE", "BYTES"],
    entries.map((e) => [e.name, e.value, String(e.bytes)]),
    { unmasked: show },
  );
  const maskedCount = entries.filter((e) => e.masked).length;
  ctx.out.line(
    `${entries.length} header${entries.length === 1 ? "" : "s"}, ${totalBytes} of ${MAX_HEADER_BYTES} bytes; ${action.name} version ${action.version}`,
  );
  if (maskedCount > 0)
    ctx.out.info(`${maskedCount} credential-like value(s) masked; --show-values prints them`);
  return 0;
};
