/**
 * Promotion of overrides between environments (docs/cli.md, "Promoting overrides"): plan from the drift
 * between the source and the target, then one server-side copy per action (masked values are copied
 * sealed by the server, so no one here ever holds them), and with `prune` a removal of what only the
 * target has. A plan carries the target versions it read: a target edited since answers 409, and the
 * caller plans again. Audit lines and `overrides.promoted` events carry names and counts only.
 */
import type { Environment } from "../client/resources/environments.js";
import { type PromotionEntry, type PromotionStep, planPromotion } from "../domain/promotion.js";
import { issue, type ValidationIssue } from "../domain/validation-result.js";
import { NotFoundError, ValidationError } from "../errors.js";
import { recorded, type WorkflowContext } from "./operation.js";
import { listEnvironments } from "./overrides.js";
import { readActionsWithOverrides } from "./read-overrides.js";

export interface PromotionOptions {
  /** Source and target environment ids. */
  from: string;
  to: string;
  /** Actions by name or id; every action of the tenant when absent. */
  refs?: readonly string[];
  /** Promote only these override names; one an action's source lacks is an error. */
  only?: readonly string[];
  /** Remove overrides only the target has (default: keep them). */
  prune?: boolean;
  /** Allow promoting into an environment ordered before the source (prod → dev). */
  allowDownward?: boolean;
  /** Override names never promoted, per action name (`promote: false` in the project file). */
  protectedNames?: Readonly<Record<string, readonly string[]>>;
}

export interface ActionPromotion {
  action: { id: string; name: string };
  entries: PromotionEntry[];
  copy: string[];
  remove: string[];
  /** The target set's version when planned; the write is refused (409) if it moved since. */
  targetVersion: number;
}

export type PromotionCounts = Record<PromotionStep, number> & { actions: number; changing: number };

export interface PromotionPlanReport {
  from: string;
  to: string;
  prune: boolean;
  /** Every action compared, by name. */
  actions: ActionPromotion[];
  summary: PromotionCounts;
}

export interface ActionPromotionResult {
  action: { id: string; name: string };
  promoted: string[];
  removed: string[];
  version: number;
  build?: { id: string; status: string };
}

export interface PromotionResult {
  from: string;
  to: string;
  actions: ActionPromotionResult[];
  count: number;
}

function invalid(issues: ValidationIssue[]): ValidationError {
  return new ValidationError(
    issues.length === 1
      ? issues[0]!.message
      : `The promotion has ${issues.length} problems: ${issues.map((i) => i.message).join("; ")}`,
    { slug: "validation-failed", issues },
  );
}

function checkEnvironments(envs: readonly Environment[], options: PromotionOptions): void {
  const find = (id: string): Environment => {
    const env = envs.find((e) => e.id === id);
    if (!env)
      throw new NotFoundError(
        `Environment '${id}' is unknown; known environments: ${envs.map((e) => e.id).join(", ")}.`,
        { slug: "not-found", status: 404 },
      );
    return env;
  };
  const from = find(options.from);
  const to = find(options.to);
  if (from.id === to.id)
    throw invalid([
      issue(
        ["to"],
        "validation-failed",
        `--from and --to are both ${from.id}; promote into another environment`,
      ),
    ]);
  if (to.order < from.order && options.allowDownward !== true)
    throw invalid([
      issue(
        ["to"],
        "validation-failed",
        `${to.id} comes before ${from.id} in the environment order (${envs.map((e) => e.id).join(" → ")}); promoting downward needs --allow-downward (allowDownward: true)`,
      ),
    ]);
}

/** Plans a promotion: reads both environments of each action (readActionsWithOverrides) and diffs them. */
export async function planOverridesPromotion(
  ctx: WorkflowContext,
  options: PromotionOptions,
): Promise<PromotionPlanReport> {
  const read = await readActionsWithOverrides(ctx, options.refs);
  checkEnvironments(read.environments ?? (await listEnvironments(ctx)), options);
  const { actions } = read;
  const missing: ValidationIssue[] = [];
  const planned = actions
    .map((a): ActionPromotion => {
      const source = a.environments?.[options.from]?.variables ?? [];
      const target = a.environments?.[options.to];
      const plan = planPromotion(source, target?.variables ?? [], {
        ...(options.only ? { only: options.only } : {}),
        prune: options.prune === true,
        protectedNames: new Set(options.protectedNames?.[a.name] ?? []),
      });
      for (const name of plan.missing)
        missing.push(
          issue(
            ["only", options.only!.indexOf(name)],
            "validation-failed",
            `${name} (in --only) is not an override of ${a.name} in ${options.from}; drop it from --only or name only actions that have it`,
          ),
        );
      return {
        action: { id: a.id, name: a.name },
        entries: plan.entries,
        copy: plan.copy,
        remove: plan.remove,
        targetVersion: target?.version ?? 1,
      };
    })
    .sort((x, y) => (x.action.name < y.action.name ? -1 : x.action.name > y.action.name ? 1 : 0));
  if (missing.length > 0) throw invalid(missing);
  const summary: PromotionCounts = {
    actions: planned.length,
    changing: 0,
    add: 0,
    update: 0,
    remove: 0,
    keep: 0,
    protected: 0,
  };
  for (const p of planned) {
    if (p.copy.length + p.remove.length > 0) summary.changing++;
    for (const entry of p.entries) summary[entry.step]++;
  }
  return { from: options.from, to: options.to, prune: options.prune === true, actions: planned, summary };
}

/** Applies a plan: one promote request per action (and one removal with prune), each audited. */
export async function applyOverridesPromotion(
  ctx: WorkflowContext,
  plan: PromotionPlanReport,
  onAction?: (done: ActionPromotionResult) => void,
): Promise<PromotionResult> {
  const results: ActionPromotionResult[] = [];
  for (const step of plan.actions) {
    if (step.copy.length === 0 && step.remove.length === 0) continue;
    const result = await recorded(
      ctx,
      {
        operation: "overrides.promote",
        target: { id: step.action.id, name: step.action.name },
        environment: plan.to,
      },
      async () => {
        let version = step.targetVersion;
        let build: ActionPromotionResult["build"];
        let response: Awaited<ReturnType<typeof ctx.client.overrides.promote>> | undefined;
        let masked = 0;
        if (step.copy.length > 0) {
          response = await ctx.client.overrides.promote(step.action.id, plan.to, {
            fromEnvironmentId: plan.from,
            names: step.copy,
            version,
          });
          version = response.body.version;
          if (response.body.build) build = { id: response.body.build.id, status: response.body.build.status };
          masked = response.body.variables.filter((v) => step.copy.includes(v.name) && v.masked).length;
        }
        if (step.remove.length > 0) {
          response = await ctx.client.overrides.patch(
            step.action.id,
            plan.to,
            { variables: [], remove: step.remove },
            { version },
          );
          version = response.body.version;
          if (response.body.build) build = { id: response.body.build.id, status: response.body.build.status };
        }
        const done: ActionPromotionResult = {
          action: step.action,
          promoted: step.copy,
          removed: step.remove,
          version,
          ...(build ? { build } : {}),
        };
        return {
          value: done,
          ...(response ? { response } : {}),
          counts: { promoted: step.copy.length, removed: step.remove.length, masked },
          names: { promoted: step.copy, removed: step.remove },
          details: { from: plan.from, to: plan.to, version, ...(build ? { buildId: build.id } : {}) },
          event: (latencyMs) => ({
            type: "overrides.promoted",
            data: {
              actionId: step.action.id,
              actionName: step.action.name,
              fromEnvironmentId: plan.from,
              environmentId: plan.to,
              version,
              names: step.copy,
              ...(step.remove.length > 0 ? { removed: step.remove } : {}),
              count: step.copy.length,
              maskedCount: masked,
              ...(build ? { buildId: build.id } : {}),
              latencyMs,
            },
          }),
        };
      },
    );
    results.push(result);
    onAction?.(result);
  }
  return { from: plan.from, to: plan.to, actions: results, count: results.length };
}

/** Plans and applies in one call (the SDK's `cxda.overrides.promote`). */
export async function promoteOverrides(
  ctx: WorkflowContext,
  options: PromotionOptions,
): Promise<PromotionResult> {
  return applyOverridesPromotion(ctx, await planOverridesPromotion(ctx, options));
}
