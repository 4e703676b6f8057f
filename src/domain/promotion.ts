/**
 * Promotion of overrides from one environment to another (docs/api.md, "Promotion"): the rules the
 * emulator applies to a promote request and the plan the CLI and SDK compute from two environments'
 * sets. Masked values are compared by fingerprint and never read: the server copies them sealed.
 */
import { diffEnvironments, type EnvVar } from "./drift.js";
import { ENVIRONMENT_ID, ENVIRONMENT_ID_RULE } from "./environment-id.js";
import { MAX_OVERRIDES_PER_ENVIRONMENT, OVERRIDE_NAME_PATTERN } from "./overrides.js";
import {
  issue,
  resultOf,
  shownText,
  type ValidationIssue,
  type ValidationResult,
} from "./validation-result.js";

/** The body of `POST …/environments/{envId}/variables/promote`. */
export interface PromotionRequest {
  fromEnvironmentId: string;
  /** The overrides to copy; every one of the source's when absent. */
  names?: string[];
  /** The target set's version as read; a stale one is refused (409). */
  version?: number;
}

const CODE = "validation-failed";
const KNOWN_FIELDS = new Set(["fromEnvironmentId", "names", "version"]);

export interface PromotionRequestContext {
  /** The environment promoted into (the path's `envId`). */
  targetEnvironmentId: string;
  /** The tenant's environments; an unknown source is reported with code `not-found`. */
  knownEnvironments: readonly string[];
}

/** Checks a promote body; every problem at once, each naming its field and the fix. */
export function validatePromotionRequest(body: unknown, context: PromotionRequestContext): ValidationResult {
  if (typeof body !== "object" || body === null || Array.isArray(body))
    return resultOf([
      issue([], CODE, "The promotion must be an object {fromEnvironmentId, names?, version?}"),
    ]);
  const found: ValidationIssue[] = [];
  const fields = body as Record<string, unknown>;
  for (const key of Object.keys(fields))
    if (!KNOWN_FIELDS.has(key))
      found.push(
        issue(
          [key],
          CODE,
          `${shownText(key)} is not a field of a promotion; use fromEnvironmentId, names and version`,
        ),
      );
  const from = fields.fromEnvironmentId;
  if (typeof from !== "string" || !ENVIRONMENT_ID.test(from))
    found.push(
      issue(
        ["fromEnvironmentId"],
        CODE,
        `fromEnvironmentId is required: the environment to copy from (${ENVIRONMENT_ID_RULE})`,
      ),
    );
  else if (from === context.targetEnvironmentId)
    found.push(
      issue(
        ["fromEnvironmentId"],
        CODE,
        `fromEnvironmentId is ${from}, the environment promoted into; name a different source environment`,
      ),
    );
  else if (!context.knownEnvironments.includes(from))
    found.push(
      issue(
        ["fromEnvironmentId"],
        "not-found",
        `Environment '${from}' is unknown; known environments: ${context.knownEnvironments.join(", ") || "(none)"}`,
      ),
    );
  if (fields.names !== undefined) {
    if (!Array.isArray(fields.names) || fields.names.length === 0)
      found.push(
        issue(
          ["names"],
          CODE,
          "names must be a non-empty list of override names; leave it out to promote every override",
        ),
      );
    else {
      const seen = new Set<string>();
      fields.names.forEach((name, index) => {
        if (typeof name !== "string" || !OVERRIDE_NAME_PATTERN.test(name))
          found.push(
            issue(
              ["names", index],
              CODE,
              `names[${index}] must be an override name: A–Z, 0–9 and '_', not starting with a digit`,
            ),
          );
        else if (seen.has(name))
          found.push(issue(["names", index], CODE, `names[${index}]: ${name} is listed twice; list it once`));
        else seen.add(name);
      });
    }
  }
  if (
    fields.version !== undefined &&
    (typeof fields.version !== "number" || !Number.isSafeInteger(fields.version) || fields.version < 1)
  )
    found.push(
      issue(["version"], CODE, "version must be a whole number ≥ 1 (the target's version you read)"),
    );
  return resultOf(found);
}

/**
 * The source's items to copy: those named (in the source's order), or all of them. Names the source
 * lacks are returned as `missing`, to be refused, never skipped.
 */
export function selectPromoted<T extends { name: string }>(
  source: readonly T[],
  names: readonly string[] | undefined,
): { items: T[]; missing: string[] } {
  if (names === undefined) return { items: [...source], missing: [] };
  const wanted = new Set(names);
  const items = source.filter((item) => wanted.has(item.name));
  const present = new Set(items.map((item) => item.name));
  return { items, missing: names.filter((name) => !present.has(name)) };
}

/** Target items with the promoted ones upserted by name, sorted by name; refused above the per-environment cap. */
export function mergePromoted<T extends { name: string }>(
  target: readonly T[],
  promoted: readonly T[],
): { items: T[]; issues: ValidationIssue[] } {
  const byName = new Map(target.map((item) => [item.name, item]));
  for (const item of promoted) byName.set(item.name, item);
  const items = [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const issues =
    items.length > MAX_OVERRIDES_PER_ENVIRONMENT
      ? [
          issue(
            ["names"],
            CODE,
            `the promotion would leave ${items.length} overrides in the target, more than ${MAX_OVERRIDES_PER_ENVIRONMENT}; promote fewer names or remove some first`,
          ),
        ]
      : [];
  return { items, issues };
}

/** What a promotion does to one override name of the target. */
export type PromotionStep =
  /** In the source only: copied into the target. */
  | "add"
  /** In both, different (by value, or by fingerprint when masked): the source's replaces the target's. */
  | "update"
  /** In the target only, with prune: removed. */
  | "remove"
  /** In the target only, without prune: kept as is. */
  | "keep"
  /** Marked environment-specific (`promote: false`): never promoted. */
  | "protected";

export interface PromotionEntry {
  name: string;
  step: PromotionStep;
  masked: boolean;
  /** The source's value as it may be shown ("***" when masked); absent when not in the source. */
  from?: string;
  /** The target's value as it may be shown; absent when not in the target. */
  to?: string;
}

export interface PromotionPlanOptions {
  /** Promote only these names; a name the source lacks is reported in `missing`. */
  only?: readonly string[];
  /** Remove what exists only in the target (default: keep it). */
  prune?: boolean;
  /** Names never promoted nor pruned (marked `promote: false` in the project file). */
  protectedNames?: ReadonlySet<string>;
}

export interface PromotionPlan {
  entries: PromotionEntry[];
  /** Names the server copies from the source. */
  copy: string[];
  /** Names removed from the target (prune). */
  remove: string[];
  /** Names of `only` the source lacks. */
  missing: string[];
}

/**
 * Plans a promotion from the drift between the source (baseline) and the target: value and masked
 * mismatches and what only the source has are copied; what only the target has is kept, or removed
 * with prune. Names in sync produce no entry. Protected names produce a `protected` entry when they
 * differ, so the plan can say why they stay.
 */
export function planPromotion(
  source: readonly EnvVar[],
  target: readonly EnvVar[],
  options: PromotionPlanOptions = {},
): PromotionPlan {
  const only = options.only ? new Set(options.only) : undefined;
  const sourceNames = new Set(source.map((v) => v.name));
  const missing = options.only ? options.only.filter((name) => !sourceNames.has(name)) : [];
  const masked = new Map<string, boolean>();
  for (const v of target) masked.set(v.name, v.masked);
  for (const v of source) masked.set(v.name, v.masked);
  const entries: PromotionEntry[] = [];
  for (const drift of diffEnvironments(source, target)) {
    if (only && !only.has(drift.name)) continue;
    const shown = {
      ...(drift.baseline !== undefined ? { from: drift.baseline } : {}),
      ...(drift.target !== undefined ? { to: drift.target } : {}),
    };
    const step: PromotionStep = options.protectedNames?.has(drift.name)
      ? "protected"
      : drift.kind === "only_in_baseline"
        ? "add"
        : drift.kind === "only_in_target"
          ? options.prune
            ? "remove"
            : "keep"
          : "update";
    entries.push({ name: drift.name, step, masked: masked.get(drift.name) === true, ...shown });
  }
  return {
    entries,
    copy: entries.filter((e) => e.step === "add" || e.step === "update").map((e) => e.name),
    remove: entries.filter((e) => e.step === "remove").map((e) => e.name),
    missing,
  };
}
