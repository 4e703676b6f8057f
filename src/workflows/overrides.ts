/**
 * Per-environment overrides (issue 7): validate before sending, write with the version
 * read (writeWithVersion: re-read and retry on 409/412, bounded), report the drift against a baseline environment by
 * fingerprint (never "***" against plaintext), follow the build a buildOnChange
 * environment starts, and emit `overrides.applied` with THIS call's latency. Values never reach the
 * audit line or the event: names and counts only.
 */
import type { Environment } from "../client/resources/environments.js";
import type { OverrideSet } from "../client/resources/overrides.js";
import { type DriftEntry, type DriftSummary, diffEnvironments, summarizeDrift } from "../domain/drift.js";
import { type EffectiveVariable, resolveEffectiveVariables } from "../domain/effective-variables.js";
import {
  MASKED_PLACEHOLDER,
  type OverrideVariable,
  type StoredOverride,
  validateOverrides,
} from "../domain/overrides.js";
import { issue, type ValidationIssue } from "../domain/validation-result.js";
import { NotFoundError, ValidationError } from "../errors.js";
import { type Build, isFinished, type WaitOptions, waitForBuild } from "./builds.js";
import { recorded, type WorkflowContext } from "./operation.js";
import { type VersionedWriteOptions, writeWithVersion } from "./write-with-version.js";

export type { Environment, OverrideSet };

/** `sleep` serves both the build wait and writeWithVersion's backoff (`maxAttempts`: 30 rounds by default). */
export interface ApplyOverridesOptions extends WaitOptions, VersionedWriteOptions {
  /** An environment to compare the result with. */
  baseline?: string;
  /** PUT the whole set instead of upserting by name (PATCH). */
  replace?: boolean;
  /** Wait for the build a buildOnChange environment starts. */
  wait?: boolean;
}

export interface OverridesWriteResult {
  action: { id: string; name: string };
  environmentId: string;
  version: number;
  variables: StoredOverride[];
  /** Names written (set) and removed. */
  set: string[];
  removed: string[];
  /** False when the set already was the requested one (the server kept its version). */
  changed: boolean;
  /** Writes sent; more than 1 when a concurrent writer forced a re-read. */
  attempts: number;
  /** The build the write started (buildOnChange environments), finished when `wait` was asked. */
  build?: { id: string; status: Build["status"]; errors?: Build["errors"] };
  drift?: { baseline: string; entries: DriftEntry[]; summary: DriftSummary };
}

function invalid(issues: ValidationIssue[], what: string): ValidationError {
  return new ValidationError(
    issues.length === 1
      ? issues[0]!.message
      : `${what} has ${issues.length} problems: ${issues.map((i) => i.message).join("; ")}`,
    { slug: "validation-failed", issues },
  );
}

/** The tenant's environments in order. */
export async function listEnvironments(ctx: WorkflowContext): Promise<Environment[]> {
  const envs = (await ctx.client.environments.list()).body;
  return [...envs].sort((a, b) => a.order - b.order);
}

async function knownEnvironment(ctx: WorkflowContext, environmentId: string): Promise<Environment> {
  const envs = await listEnvironments(ctx);
  const env = envs.find((e) => e.id === environmentId);
  if (!env)
    throw new NotFoundError(
      `Environment '${environmentId}' is unknown; known environments: ${envs.map((e) => e.id).join(", ")}.`,
      { slug: "not-found", status: 404 },
    );
  return env;
}

/** The overrides of an action in one environment; masked values read "***". */
export async function getOverrides(
  ctx: WorkflowContext,
  ref: string,
  environmentId: string,
): Promise<OverrideSet> {
  const action = await ctx.client.actions.resolve(ref);
  return (await ctx.client.overrides.get(action.id, environmentId)).body;
}

/** Upserts (or with `replace`, replaces) the overrides of an environment. */
export async function applyOverrides(
  ctx: WorkflowContext,
  ref: string,
  environmentId: string,
  variables: OverrideVariable[],
  opts: ApplyOverridesOptions = {},
): Promise<OverridesWriteResult> {
  const first = validateOverrides({ variables }, { environmentId });
  if (!first.ok) throw invalid(first.issues, "The overrides");
  return writeOverrides(ctx, ref, environmentId, { variables, remove: [] }, opts);
}

/** Removes overrides by name; names that are not set are ignored. */
export async function unsetOverrides(
  ctx: WorkflowContext,
  ref: string,
  environmentId: string,
  names: string[],
  opts: Omit<ApplyOverridesOptions, "replace"> = {},
): Promise<OverridesWriteResult> {
  if (names.length === 0)
    throw invalid([issue("names", "validation-failed", "unset needs at least one override name")], "unset");
  const first = validateOverrides({ variables: [], remove: names }, { environmentId });
  if (!first.ok) throw invalid(first.issues, "The names");
  return writeOverrides(
    ctx,
    ref,
    environmentId,
    { variables: [], remove: names },
    { ...opts, replace: false },
  );
}

async function writeOverrides(
  ctx: WorkflowContext,
  ref: string,
  environmentId: string,
  edit: { variables: OverrideVariable[]; remove: string[] },
  opts: ApplyOverridesOptions,
): Promise<OverridesWriteResult> {
  return recorded(
    ctx,
    {
      operation: edit.remove.length > 0 ? "overrides.unset" : "overrides.apply",
      target: { name: ref },
      environment: environmentId,
    },
    async () => {
      const env = await knownEnvironment(ctx, environmentId);
      if (opts.baseline !== undefined) await knownEnvironment(ctx, opts.baseline);
      const action = await ctx.client.actions.resolve(ref);
      const outcome = await writeWithVersion({
        ...opts,
        what: `the overrides of action ${action.name} in ${environmentId}`,
        read: async () => (await ctx.client.overrides.get(action.id, environmentId)).body,
        build: (current) => {
          const existing = current.variables.map((v) => v.name);
          const removeNow = edit.remove.filter((n) => existing.includes(n));
          if (!opts.replace) {
            const check = validateOverrides(
              { variables: edit.variables, remove: removeNow },
              { environmentId, existingNames: existing },
            );
            if (!check.ok) throw invalid(check.issues, "The overrides");
          }
          return { removeNow };
        },
        write: ({ removeNow }, current) =>
          opts.replace
            ? ctx.client.overrides.replace(
                action.id,
                environmentId,
                { variables: edit.variables },
                { version: current.version },
              )
            : ctx.client.overrides.patch(
                action.id,
                environmentId,
                { variables: edit.variables, ...(removeNow.length > 0 ? { remove: removeNow } : {}) },
                { version: current.version },
              ),
      });
      if (!outcome.written) throw new Error("unreachable: an overrides write always sends");
      const { current, plan, value: response } = outcome;
      const { removeNow } = plan;
      const attempts = outcome.writes;
      const written = response.body;
      let build: OverridesWriteResult["build"];
      if (written.build) {
        const finished: Pick<Build, "id" | "status" | "errors"> =
          opts.wait && !isFinished(written.build)
            ? await waitForBuild(ctx.client, action.id, written.build.id, opts)
            : written.build;
        build = {
          id: finished.id,
          status: finished.status,
          ...(finished.errors ? { errors: finished.errors } : {}),
        };
      }
      let drift: OverridesWriteResult["drift"];
      if (opts.baseline !== undefined) {
        const base = (await ctx.client.overrides.get(action.id, opts.baseline)).body;
        const entries = diffEnvironments(base.variables, written.variables);
        drift = { baseline: opts.baseline, entries, summary: summarizeDrift(entries) };
      }
      const set = edit.variables.map((v) => v.name);
      const maskedCount = written.variables.filter((v) => v.masked).length;
      const result: OverridesWriteResult = {
        action: { id: action.id, name: action.name },
        environmentId,
        version: written.version,
        variables: written.variables,
        set,
        removed: removeNow,
        changed: written.version !== current.version,
        attempts,
        ...(build ? { build } : {}),
        ...(drift ? { drift } : {}),
      };
      return {
        value: result,
        response,
        target: { id: action.id, name: action.name },
        counts: {
          set: set.length,
          removed: removeNow.length,
          total: written.variables.length,
          masked: maskedCount,
          ...(drift ? { drift: drift.summary.count } : {}),
          attempts,
        },
        names: { set, removed: removeNow },
        details: {
          version: written.version,
          changed: result.changed,
          buildOnChange: env.buildOnChange,
          ...(build ? { buildId: build.id, buildStatus: build.status } : {}),
          ...(opts.baseline !== undefined ? { baseline: opts.baseline } : {}),
        },
        event: (latencyMs) => ({
          type: "overrides.applied",
          data: {
            actionId: action.id,
            actionName: action.name,
            environmentId,
            version: written.version,
            names: set,
            ...(removeNow.length > 0 ? { removed: removeNow } : {}),
            count: written.variables.length,
            maskedCount,
            ...(drift ? { driftCount: drift.summary.count } : {}),
            ...(build ? { buildId: build.id } : {}),
            latencyMs,
          },
        }),
      };
    },
  );
}

/** One effective variable of an action in an environment; `value` is "***" for secrets. */
export type ResolvedVariable = EffectiveVariable<string>;

interface ListedVariable {
  name: string;
  value: string | null;
  encrypted?: boolean;
  masked?: boolean;
}

/** override(A,E) ▸ action variable ▸ global variable, computed from GETs of the three layers. */
export async function resolveVariables(
  ctx: WorkflowContext,
  ref: string,
  environmentId: string,
): Promise<{ action: { id: string; name: string }; environmentId: string; variables: ResolvedVariable[] }> {
  const action = await ctx.client.actions.resolve(ref);
  const [globals, own, overrides] = await Promise.all([
    ctx.client.globalVariables.get(),
    ctx.client.variables.get(action.id),
    ctx.client.overrides.get(action.id, environmentId),
  ]);
  // The API never returns a secret's value: the layers carry "***" for them.
  const layer = (items: ListedVariable[]) =>
    items.map((item) => {
      const secret = item.encrypted === true || item.masked === true;
      return { name: item.name, value: secret ? MASKED_PLACEHOLDER : (item.value ?? ""), secret };
    });
  const byName = resolveEffectiveVariables({
    global: layer(globals.body.variables),
    action: layer(own.body.variables),
    override: layer(overrides.body.variables),
  });
  const variables = [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { action: { id: action.id, name: action.name }, environmentId, variables };
}
