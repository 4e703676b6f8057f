/** Reads `page`, `pageSize`, `name`, `nameContains` of a list request. */
import { issue, type ValidationIssue } from "../../domain/validation-result.js";
import { problemFromIssues } from "../problem.js";

export const DEFAULT_PAGE_SIZE = 25;
export const MAX_PAGE_SIZE = 100;

export interface ListQuery {
  page: number;
  pageSize: number;
  name?: string;
  nameContains?: string;
  expand?: unknown;
}

function single(query: Record<string, unknown>, key: string, issues: ValidationIssue[]): string | undefined {
  const value = query[key];
  if (value === undefined) return undefined;
  if (typeof value !== "string") {
    issues.push(issue(key, "validation-failed", `${key}: give this query parameter once`));
    return undefined;
  }
  return value;
}

function integer(
  raw: string | undefined,
  key: string,
  min: number,
  max: number,
  fallback: number,
  issues: ValidationIssue[],
): number {
  if (raw === undefined) return fallback;
  if (!/^\d{1,9}$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    issues.push(
      issue(
        key,
        "validation-failed",
        `${key}: must be a whole number from ${min} to ${max === Number.MAX_SAFE_INTEGER ? "up" : max}, got ${JSON.stringify(raw.slice(0, 20))}`,
      ),
    );
    return fallback;
  }
  return Number(raw);
}

export function parseListQuery(query: unknown): ListQuery {
  const q = (query ?? {}) as Record<string, unknown>;
  const issues: ValidationIssue[] = [];
  const page = integer(single(q, "page", issues), "page", 1, 1_000_000_000 - 1, 1, issues);
  const pageSize = integer(
    single(q, "pageSize", issues),
    "pageSize",
    1,
    MAX_PAGE_SIZE,
    DEFAULT_PAGE_SIZE,
    issues,
  );
  const name = single(q, "name", issues);
  const nameContains = single(q, "nameContains", issues);
  if (issues.length > 0) throw problemFromIssues(issues, "The query");
  const result: ListQuery = { page, pageSize, expand: q.expand };
  if (name !== undefined) result.name = name;
  if (nameContains !== undefined && nameContains !== "") result.nameContains = nameContains;
  return result;
}
