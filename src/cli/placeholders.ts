/**
 * `${env:NAME}` and `${file:PATH}` in values given to the CLI (SPEC §8, §12), so credentials stay out of
 * shell history and out of committed files. `$${` writes a literal `${`. A file's content loses one
 * trailing line break. Every resolved piece is registered with the redactor when one is given.
 */
import { readFileSync } from "node:fs";
import { isAbsolute, resolve } from "node:path";
import type { Redactor } from "../audit/redactor.js";
import { issue, joinPath, type ValidationIssue } from "../domain/validation-result.js";
import { ValidationError } from "../errors.js";

export interface PlaceholderOptions {
  /** Default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Relative `${file:…}` paths start here (default the working directory). */
  baseDir?: string;
  /** Resolved values are registered here, so no sink prints them. */
  redactor?: Redactor;
  /** Where the value sits, for issue paths (default ""). */
  path?: string;
  /** Injectable for tests; default reads UTF-8 from disk. */
  readFile?: (absolutePath: string) => string;
}

export interface ResolvedValue {
  value: string;
  /** True when at least one placeholder was substituted (the value is then treated as a secret). */
  substituted: boolean;
}

const PLACEHOLDER = /\$\$\{|\$\{([^}]*)\}/g;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** True when the text holds `${env:…}` or `${file:…}` (or any `${…}`). */
export function hasPlaceholder(text: string): boolean {
  return /(^|[^$])\$\{/.test(text);
}

/** Resolves the placeholders of one string; throws a ValidationError (exit 65) naming every bad one. */
export function resolvePlaceholders(text: string, options: PlaceholderOptions = {}): ResolvedValue {
  const issues: ValidationIssue[] = [];
  const resolved = resolveInto(text, options, issues);
  if (issues.length > 0) throw new ValidationError(summary(issues), { issues });
  return resolved;
}

/**
 * Resolves placeholders in every string of a parsed document (objects, arrays), collecting every
 * problem instead of stopping at the first. Keys are left as they are.
 */
export function resolvePlaceholdersDeep(
  data: unknown,
  options: PlaceholderOptions = {},
): { value: unknown; issues: ValidationIssue[]; substitutedPaths: string[] } {
  const issues: ValidationIssue[] = [];
  const substitutedPaths: string[] = [];
  const walk = (node: unknown, path: string): unknown => {
    if (typeof node === "string") {
      const r = resolveInto(node, { ...options, path }, issues);
      if (r.substituted) substitutedPaths.push(path);
      return r.value;
    }
    if (Array.isArray(node)) return node.map((item, i) => walk(item, joinPath(path, i)));
    if (node !== null && typeof node === "object") {
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(node)) out[key] = walk(item, joinPath(path, key));
      return out;
    }
    return node;
  };
  const value = walk(data, options.path ?? "");
  return { value, issues, substitutedPaths };
}

function resolveInto(text: string, options: PlaceholderOptions, issues: ValidationIssue[]): ResolvedValue {
  const env = options.env ?? process.env;
  const path = options.path ?? "";
  const where = path === "" ? "" : ` in ${path}`;
  let substituted = false;
  const value = text.replace(PLACEHOLDER, (whole, inner: string | undefined) => {
    if (whole === "$${") return "${";
    const body = inner ?? "";
    const colon = body.indexOf(":");
    const kind = colon < 0 ? body : body.slice(0, colon);
    const arg = colon < 0 ? "" : body.slice(colon + 1);
    if (kind === "env") {
      if (!ENV_NAME.test(arg)) {
        issues.push(
          issue(
            path,
            "validation-failed",
            `placeholder \${env:${cut(arg)}}${where} needs an environment variable name (letters, digits, '_'); write \${env:NAME}`,
          ),
        );
        return whole;
      }
      const found = env[arg];
      if (found === undefined) {
        issues.push(
          issue(
            path,
            "validation-failed",
            `environment variable ${arg} is not set (placeholder \${env:${arg}}${where}); export it first`,
          ),
        );
        return whole;
      }
      substituted = true;
      options.redactor?.register(found);
      return found;
    }
    if (kind === "file") {
      if (arg === "") {
        issues.push(
          issue(path, "validation-failed", `placeholder \${file:}${where} needs a path; write \${file:PATH}`),
        );
        return whole;
      }
      const absolute = isAbsolute(arg) ? arg : resolve(options.baseDir ?? process.cwd(), arg);
      try {
        const content = (options.readFile ?? ((p: string) => readFileSync(p, "utf8")))(absolute).replace(
          /\r?\n$/,
          "",
        );
        substituted = true;
        options.redactor?.register(content);
        return content;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? "unreadable";
        issues.push(
          issue(
            path,
            "validation-failed",
            `placeholder \${file:${cut(arg)}}${where} cannot be read (${code}); check the path (relative paths start at ${options.baseDir ?? "the working directory"})`,
          ),
        );
        return whole;
      }
    }
    issues.push(
      issue(
        path,
        "validation-failed",
        `unknown placeholder \${${cut(body)}}${where}; use \${env:NAME} or \${file:PATH} (write $\${ for a literal \${)`,
      ),
    );
    return whole;
  });
  return { value, substituted };
}

function summary(issues: ValidationIssue[]): string {
  return issues.length === 1 ? issues[0]!.message : `${issues.length} placeholders could not be resolved`;
}

function cut(text: string): string {
  return text.length > 60 ? `${text.slice(0, 60)}…` : text;
}
