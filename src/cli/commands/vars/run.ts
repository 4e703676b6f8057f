/** The handlers of `cxda vars …`. */
import type { ValidationIssue } from "../../../domain/validation-result.js";
import { inputValueText, type StoredVariable, validateVariables } from "../../../domain/variables.js";
import { ValidationError } from "../../../errors.js";
import { hasPlaceholder, resolvePlaceholdersDeep } from "../../../project/placeholders.js";
import {
  rotationCheck as checkRotation,
  getGlobalVariables,
  getVariables,
  type RegisterVariablesResult,
  reencrypt as reencryptSecrets,
  registerVariables,
  setGlobalVariables,
  type VariableInput,
} from "../../../workflows/variables.js";
import type { Handler } from "../../command.js";
import type { CommandContext } from "../../context.js";
import { type InputFile, locateIssues, readInputFile } from "../../input-file.js";
import { formatTable } from "../../output.js";
import type { get, globalGet, globalSet, reencrypt, rotationCheck, set, validate } from "./index.js";

type Level = "action" | "global";

// biome-ignore lint/suspicious/noTemplateCurlyInString: the placeholder syntax is shown literally
const LITERAL_SECRET_HINT = "write it as ${env:NAME} or ${file:PATH} so the secret stays out of the file";

function refused(issues: ValidationIssue[]): ValidationError {
  const count = issues.length === 1 ? "1 problem" : `${issues.length} problems`;
  return new ValidationError(`variables refused (${count}), nothing was written`, { issues });
}

/** Issues under `variables` (the domain's paths) or under the list itself, placed in the file. */
function locate(
  input: InputFile,
  file: string,
  nested: boolean,
  issues: ValidationIssue[],
): ValidationIssue[] {
  return locateIssues(input, file, issues, (found) => {
    const segments = found.segments ?? [];
    const inList = segments[0] === "variables" ? segments.slice(1) : segments;
    return { keys: nested ? ["variables", ...inList] : inList };
  });
}

/**
 * Reads `-f FILE` (a list or `{variables: [...]}`), warns about literal secrets, resolves placeholders
 * (values registered with the redactor) and validates; throws ValidationError (exit 65) with locations.
 */
export function readVariablesFile(ctx: CommandContext, file: string, level: Level): VariableInput[] {
  const input = readInputFile(file);
  const data = input.data;
  const nested = typeof data === "object" && data !== null && !Array.isArray(data);
  const list = nested ? (data as { variables?: unknown }).variables : data;
  if (!Array.isArray(list) || (nested && Object.keys(data as object).some((k) => k !== "variables")))
    throw refused([
      {
        path: file,
        code: "validation-failed",
        message: `${file} must be a list of variables or {variables: [...]}; see cxda vars set --help`,
        ...(input.locate([]) ?? {}),
      },
    ]);
  list.forEach((item, i) => {
    const v = item as Record<string, unknown> | null;
    if (v?.encrypted !== true || typeof v.value !== "string" || hasPlaceholder(v.value)) return;
    ctx.redactor.register(v.value, `variable ${String(v.name)}`);
    const at = input.locate([...(nested ? ["variables"] : []), i, "value"]);
    ctx.out.warn(
      `${file}${at ? `:${at.line}:${at.column}` : ""}: encrypted variable '${String(v.name)}' has a literal value; ` +
        LITERAL_SECRET_HINT,
    );
  });
  const resolved = resolvePlaceholdersDeep(list, {
    baseDir: input.baseDir,
    redactor: ctx.redactor,
    path: "variables",
  });
  if (resolved.issues.length > 0) throw refused(locate(input, file, nested, resolved.issues));
  // The value rule of every input file (the same as cxda.yaml): `value: 3` is the text "3".
  const values = (resolved.value as unknown[]).map((v) =>
    typeof v === "object" && v !== null && !Array.isArray(v) && "value" in v
      ? { ...v, value: inputValueText((v as { value: unknown }).value) }
      : v,
  );
  const check = validateVariables(values, { scope: level });
  if (!check.ok) throw refused(locate(input, file, nested, check.issues));
  return values as VariableInput[];
}

function table(ctx: CommandContext, variables: StoredVariable[]): string {
  return formatTable(
    ["NAME", "TYPE", "VALUE", "ENCRYPTED", "KEY"],
    variables.map((v) => [
      v.name,
      v.type,
      v.encrypted ? "***" : (v.value ?? ""),
      v.encrypted ? "yes" : "no",
      v.encrypted ? (v.keyId ?? "-") : "-",
    ]),
    ctx.out.colors,
  );
}

function showWritten(ctx: CommandContext, r: RegisterVariablesResult): void {
  const summary = {
    ...(r.actionId === undefined ? {} : { action: { id: r.actionId, name: r.actionName } }),
    scope: r.scope,
    version: r.version,
    unchanged: r.unchanged,
    count: r.count,
    encryptedCount: r.encryptedCount,
    variables: r.variables,
  };
  if (ctx.out.json) {
    ctx.out.result(summary);
    return;
  }
  const what = r.scope === "global" ? "global variables" : `variables of ${r.actionName}`;
  ctx.out.line(
    r.unchanged
      ? `${what} unchanged (version ${r.version})`
      : `${what} replaced: ${r.count} variable${r.count === 1 ? "" : "s"}, ${r.encryptedCount} encrypted, version ${r.version}`,
  );
  if (r.variables.length > 0) ctx.out.line(table(ctx, r.variables));
}

export const runGet: Handler<typeof get> = async (ctx, { args }) => {
  const result = await getVariables(await ctx.workflow(false), args.ref);
  if (ctx.out.json) {
    ctx.out.result({
      action: { id: result.actionId, name: result.actionName },
      version: result.version,
      variables: result.variables,
    });
    return 0;
  }
  ctx.out.line(`${result.actionName}: ${result.variables.length} variables (version ${result.version})`);
  if (result.variables.length > 0) ctx.out.line(table(ctx, result.variables));
  return 0;
};

export const runSet: Handler<typeof set> = async (ctx, { args, options }) => {
  const list = readVariablesFile(ctx, options.file, "action");
  showWritten(ctx, await registerVariables(await ctx.workflow(true), args.ref, list));
  return 0;
};

export const runValidate: Handler<typeof validate> = async (ctx, { options }) => {
  const level: Level = options.global === true ? "global" : "action";
  const list = readVariablesFile(ctx, options.file, level);
  const encrypted = list.filter((v) => v.encrypted === true).length;
  if (ctx.out.json) ctx.out.result({ ok: true, scope: level, count: list.length, encryptedCount: encrypted });
  else
    ctx.out.line(
      `${options.file}: ${list.length} variables valid at ${level} level (${encrypted} encrypted)`,
    );
  return 0;
};

export const runRotationCheck: Handler<typeof rotationCheck> = async (ctx, { args }) => {
  const result = await checkRotation(await ctx.workflow(false), args.ref);
  if (ctx.out.json) {
    ctx.out.result({ ...result });
    return 0;
  }
  ctx.out.line(
    `active key ${result.activeKeyId} (${result.keys.length} key${result.keys.length === 1 ? "" : "s"})`,
  );
  if (result.clean) {
    ctx.out.line(
      `clean: all ${result.checkedSecrets} secret${result.checkedSecrets === 1 ? "" : "s"} in ${result.checkedActions} action${result.checkedActions === 1 ? "" : "s"}${args.ref === undefined ? " and the global variables" : ""} use the active key`,
    );
    return 0;
  }
  ctx.out.line(
    formatTable(
      ["WHERE", "NAME", "KEY"],
      result.stale.map((s) => [
        s.scope === "global" ? "(global)" : (s.actionName ?? s.actionId ?? ""),
        s.name,
        s.keyId,
      ]),
      ctx.out.colors,
    ),
  );
  ctx.out.line(
    `${result.stale.length} secret${result.stale.length === 1 ? "" : "s"} on an old key; move them with cxda vars reencrypt <ref>`,
  );
  return 0;
};

export const runReencrypt: Handler<typeof reencrypt> = async (ctx, { args }) => {
  const result = await reencryptSecrets(await ctx.workflow(true), args.ref);
  if (ctx.out.json) ctx.out.result({ ...result });
  else
    ctx.out.line(
      result.reencrypted.length === 0
        ? `${result.actionName}: every secret already uses the active key ${result.activeKeyId}`
        : `${result.actionName}: re-encrypted ${result.reencrypted.join(", ")} under ${result.activeKeyId} (version ${result.version})`,
    );
  return 0;
};

export const runGlobalGet: Handler<typeof globalGet> = async (ctx) => {
  const result = await getGlobalVariables(await ctx.workflow(false));
  if (ctx.out.json) {
    ctx.out.result({ version: result.version, variables: result.variables });
    return 0;
  }
  ctx.out.line(`global variables: ${result.variables.length} (version ${result.version})`);
  if (result.variables.length > 0) ctx.out.line(table(ctx, result.variables));
  return 0;
};

export const runGlobalSet: Handler<typeof globalSet> = async (ctx, { options }) => {
  const list = readVariablesFile(ctx, options.file, "global");
  showWritten(ctx, await setGlobalVariables(await ctx.workflow(true), list));
  return 0;
};
