/** Headers given as NAME=VALUE arguments or as a YAML/JSON map file; placeholders resolved, rules checked. */
import { validateHeaders } from "../../../domain/headers.js";
import type { ValidationIssue } from "../../../domain/validation-result.js";
import { ValidationError } from "../../../errors.js";
import { resolvePlaceholders, resolvePlaceholdersDeep } from "../../../project/placeholders.js";
import type { CommandContext } from "../../context.js";
import { UsageError } from "../../exit-codes.js";
import { type InputFile, locateIssues, readInputFile } from "../../input-file.js";

/** `NAME=VALUE` split at the first '=' (values may hold '='); placeholders resolved and registered. */
export function parsePairs(ctx: CommandContext, pairs: string[], offline = false): Record<string, string> {
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
export function headersFromFile(ctx: CommandContext, file: string, offline = false): Record<string, string> {
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

/** Issues placed at the header they name: at its value for value problems, at its name otherwise. */
function locate(input: InputFile, shownName: string, issues: ValidationIssue[]): ValidationIssue[] {
  return locateIssues(input, shownName, issues, (found) => {
    const segments = found.segments ?? [];
    const keys = segments[0] === "config" && segments[1] === "headers" ? segments.slice(2) : segments;
    return { keys, key: !found.message.startsWith("value of ") };
  });
}

export function refused(issues: ValidationIssue[], offline = false): ValidationError {
  const count = issues.length === 1 ? "1 problem" : `${issues.length} problems`;
  const message = offline ? `headers invalid (${count})` : `headers refused (${count}), nothing was written`;
  return new ValidationError(message, { issues });
}
