/**
 * `cxda headers get | set | unset | replace | validate` (SPEC §12, issue 5). Values may be `${env:NAME}`
 * or `${file:PATH}`; a resolved value is registered with the redactor, and no value is ever printed
 * except by `get --show-values`.
 */
import { REDACTED } from "../../audit/redactor.js";
import { isCredentialHeader } from "../../domain/credential-header.js";
import { headerBytes, MAX_HEADER_BYTES, validateHeaders } from "../../domain/headers.js";
import type { ValidationIssue } from "../../domain/validation-result.js";
import { ValidationError } from "../../errors.js";
import {
  getHeaders,
  type HeaderEditResult,
  replaceHeaders,
  setHeaders,
  unsetHeaders,
} from "../../workflows/headers.js";
import type { CommandContext } from "../context.js";
import { UsageError } from "../exit-codes.js";
import { type InputFile, readInputFile } from "../input-file.js";
import { formatTable } from "../output.js";
import { resolvePlaceholders, resolvePlaceholdersDeep } from "../placeholders.js";
import type { CommandHandler } from "../program.js";

async function workflowContext(ctx: CommandContext, mutating: boolean) {
  const recorder = mutating ? await ctx.recorder() : undefined;
  return { client: await ctx.client(), recorder };
}

export const headersGet: CommandHandler = async (ctx, args, options) => {
  const show = options.showValues === true;
  const { action, headers, totalBytes } = await getHeaders(await workflowContext(ctx, false), args[0]!);
  const entries = Object.entries(headers).map(([name, value]) => {
    const masked = !show && isCredentialHeader(name, value);
    return { name, value: masked ? REDACTED : value, bytes: headerBytes(name, value), masked };
  });
  if (ctx.out.json) {
    // A list, not a name → value map: the printer masks credential-like keys of a `headers` map itself.
    ctx.out.result({
      action: { id: action.id, name: action.name, version: action.version },
      headers: entries,
      count: entries.length,
      totalBytes,
      limitBytes: MAX_HEADER_BYTES,
    });
    return 0;
  }
  if (entries.length === 0) {
    ctx.out.line(`${action.name} (version ${action.version}) has no headers`);
    return 0;
  }
  ctx.out.line(
    formatTable(
      ["NAME", "VALUE", "BYTES"],
      entries.map((e) => [e.name, e.value, String(e.bytes)]),
      ctx.out.colors,
    ),
  );
  const maskedCount = entries.filter((e) => e.masked).length;
  ctx.out.line(
    `${entries.length} header${entries.length === 1 ? "" : "s"}, ${totalBytes} of ${MAX_HEADER_BYTES} bytes; ${action.name} version ${action.version}`,
  );
  if (maskedCount > 0)
    ctx.out.info(`${maskedCount} credential-like value(s) masked; --show-values prints them`);
  return 0;
};

export const headersSet: CommandHandler = async (ctx, args) => {
  const [ref, ...pairs] = args;
  if (pairs.length === 0) throw new UsageError("headers set needs at least one NAME=VALUE");
  const headers = parsePairs(ctx, pairs);
  const result = await setHeaders(await workflowContext(ctx, true), ref!, headers);
  report(ctx, result);
  return 0;
};

export const headersUnset: CommandHandler = async (ctx, args) => {
  const [ref, ...names] = args;
  if (names.length === 0) throw new UsageError("headers unset needs at least one NAME");
  const withEquals = names.find((n) => n.includes("="));
  if (withEquals !== undefined)
    throw new UsageError(
      `headers unset takes names only, got '${withEquals.split("=")[0]}=…'; drop the '=VALUE'`,
    );
  const result = await unsetHeaders(await workflowContext(ctx, true), ref!, names);
  const gone = new Set(result.removed.map((n) => n.toLowerCase()));
  const absent = names.filter((n) => !gone.has(n.toLowerCase()));
  report(ctx, result, absent);
  return 0;
};

export const headersReplace: CommandHandler = async (ctx, args, options) => {
  const headers = headersFromFile(ctx, String(options.file));
  const result = await replaceHeaders(await workflowContext(ctx, true), args[0]!, headers);
  report(ctx, result);
  return 0;
};

export const headersValidate: CommandHandler = async (ctx, args, options) => {
  const file = typeof options.file === "string" ? options.file : undefined;
  if (file !== undefined && args.length > 0)
    throw new UsageError("give either NAME=VALUE arguments or -f FILE, not both");
  if (file === undefined && args.length === 0)
    throw new UsageError("give NAME=VALUE arguments or -f FILE to validate");
  const headers = file !== undefined ? headersFromFile(ctx, file, true) : parsePairs(ctx, args, true);
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

/** `NAME=VALUE` split at the first '=' (values may hold '='); placeholders resolved and registered. */
function parsePairs(ctx: CommandContext, pairs: string[], offline = false): Record<string, string> {
  const headers: Record<string, string> = {};
  const problems: ValidationIssue[] = [];
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    if (eq < 0)
      throw new UsageError(
        `'${pair.slice(0, 64)}' is not NAME=VALUE; write ${pair.slice(0, 64)}=VALUE (use \${env:NAME} for a credential)`,
      );
    const name = pair.slice(0, eq);
    if (Object.hasOwn(headers, name))
      throw new UsageError(`header '${name.slice(0, 64)}' is given twice; give it once`);
    try {
      headers[name] = resolvePlaceholders(pair.slice(eq + 1), {
        redactor: ctx.redactor,
        path: `config.headers.${name}`,
      }).value;
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      problems.push(...error.issues);
    }
  }
  if (problems.length > 0) throw refused(problems, offline);
  return headers;
}

/** A YAML/JSON map of headers; placeholders resolved; rule problems point at the file's lines. */
function headersFromFile(ctx: CommandContext, file: string, offline = false): Record<string, string> {
  const input = readInputFile(file);
  const data = input.data ?? {};
  if (typeof data !== "object" || Array.isArray(data))
    throw refused(
      [
        {
          path: file,
          code: "validation-failed",
          message: `${file} must be a map of header NAME: VALUE, got ${Array.isArray(data) ? "a list" : `a ${typeof data}`}`,
          ...(input.locate([]) ?? {}),
        },
      ],
      offline,
    );
  const resolved = resolvePlaceholdersDeep(data, {
    baseDir: input.baseDir,
    redactor: ctx.redactor,
    path: "",
  });
  if (resolved.issues.length > 0) throw refused(locate(input, file, resolved.issues), offline);
  const headers = resolved.value as Record<string, unknown>;
  const check = validateHeaders(headers);
  if (!check.ok) throw refused(locate(input, file, check.issues), offline);
  return headers as Record<string, string>;
}

/** Adds the file's line and column to issues whose path names a header: the value for value problems,
 *  the name otherwise. */
function locate(input: InputFile, shownName: string, issues: ValidationIssue[]): ValidationIssue[] {
  return issues.map((i) => {
    const name = i.path.replace(/^config\.headers\.?/, "");
    if (name === "") return i;
    const at = i.message.startsWith("value of ") ? input.locate([name]) : input.locateKey([name]);
    return at ? { ...i, path: shownName, line: at.line, column: at.column } : i;
  });
}

function refused(issues: ValidationIssue[], offline = false): ValidationError {
  const count = issues.length === 1 ? "1 problem" : `${issues.length} problems`;
  const message = offline ? `headers invalid (${count})` : `headers refused (${count}), nothing was written`;
  return new ValidationError(message, { issues });
}

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
