/**
 * `cxda apply` (issue 9): runs a plan's changes through the workflows (each writes its own
 * audit line and event). Creates go in dependency order and carry the headers and the date processing
 * (computed now); every other write runs concurrently, bounded, within the client's pacing. Each write
 * is one request, so a failed step leaves its resource at the old state. A create's Idempotency-Key is
 * derived from the tenant, the name and the content, so a re-run after a kill replays instead of
 * duplicating; re-planning first makes the re-run converge.
 */
import { createHash, randomBytes } from "node:crypto";
import type { Action } from "../domain/action-schema.js";
import { isCredentialHeader } from "../domain/credential-header.js";
import { CxdaError, NotFoundError, PlanDriftError } from "../errors.js";
import { deleteAction } from "../workflows/actions.js";
import { type CreateActionSpec, createAction } from "../workflows/create-action.js";
import { applyDateProcessing } from "../workflows/datetime.js";
import { replaceHeaders } from "../workflows/headers.js";
import { recorded, type WorkflowContext } from "../workflows/operation.js";
import { applyOverrides } from "../workflows/overrides.js";
import { registerVariables } from "../workflows/variables.js";
import { writeWithVersion } from "../workflows/write-with-version.js";
import { applyPlanAsChangeset } from "./apply-changeset.js";
import {
  type ApplyCounts,
  type ApplyOptions,
  type ApplyResult,
  type ApplyStep,
  type ApplyStepResult,
  createSpecOf,
  dateProcessingArgs,
  stepsOf,
} from "./apply-steps.js";
import type { DesiredAction, DesiredState } from "./desired-state.js";
import { canonicalJson, type Plan } from "./plan.js";

export {
  type ApplyCounts,
  type ApplyOptions,
  type ApplyResult,
  type ApplyStep,
  type ApplyStepResult,
  createSpecOf,
  describeStep,
  type StepKind,
  type StepOutcome,
  stepsOf,
} from "./apply-steps.js";

export const DEFAULT_APPLY_CONCURRENCY = 8;

/**
 * Applies `plan` (computed from `desired` against the live tenant): returns what was applied and every
 * failure with its reason; never throws for a failed write (a failed step is reported, the rest goes on).
 */
export async function applyPlan(
  ctx: WorkflowContext,
  desired: DesiredState,
  plan: Plan,
  options: ApplyOptions = {},
): Promise<ApplyResult> {
  const via = options.via ?? "auto";
  if (via === "changeset" || (via === "auto" && (await ctx.client.changesets.available())))
    return applyPlanAsChangeset(ctx, desired, plan, options);
  const steps = stepsOf(plan);
  const results = new Map<ApplyStep, ApplyStepResult>();
  const byName = new Map(desired.actions.map((a) => [a.name, a]));
  // Each action's main step (create or core update), found once: a search per action was quadratic.
  const mainSteps = new Map<string, ApplyStep>();
  for (const s of steps)
    if (s.resource === "action" && s.kind !== "delete" && !mainSteps.has(s.action))
      mainSteps.set(s.action, s);
  const limit = limiter(Math.max(1, options.concurrency ?? DEFAULT_APPLY_CONCURRENCY));
  let done = 0;

  const run = async (step: ApplyStep, blocked: string | undefined, write: () => Promise<unknown>) => {
    let result: ApplyStepResult;
    if (blocked !== undefined) {
      result = { ...step, outcome: "skipped", reason: `not attempted: ${blocked}`, state: "old" };
    } else {
      result = await limit(async () => {
        options.onStart?.(step);
        try {
          const value = await write();
          return { ...step, outcome: "applied", ...(value === "replayed" ? { replayed: true } : {}) };
        } catch (error) {
          return failure(step, error);
        }
      });
    }
    results.set(step, result);
    done += 1;
    options.onDone?.(result, { done, total: steps.length });
    return result;
  };

  // Per action: its main step (create or core update), awaited by dependents and by its sub-resources.
  const main = new Map<string, Promise<"present" | "missing">>();
  const mainOf = (name: string): Promise<"present" | "missing"> => {
    const existing = main.get(name);
    if (existing) return existing;
    const want = byName.get(name);
    const step = mainSteps.get(name);
    const promise = (async (): Promise<"present" | "missing"> => {
      const deps = want ? want.dependencies.filter((d) => d !== name && byName.has(d)) : [];
      const states = await Promise.all(deps.map((d) => mainOf(d)));
      if (!step) return "present";
      const missing = deps.filter((_, i) => states[i] === "missing");
      const blocked =
        missing.length > 0
          ? `its dependenc${missing.length === 1 ? "y" : "ies"} ${missing.join(", ")} could not be created`
          : undefined;
      const result = await run(step, blocked, () =>
        step.kind === "create" ? createStep(ctx, want!) : updateCore(ctx, want!),
      );
      return step.kind === "create" && result.outcome !== "applied" ? "missing" : "present";
    })();
    main.set(name, promise);
    return promise;
  };

  const work: Promise<unknown>[] = [];
  const serial = new Map<string, Promise<unknown>>();
  for (const step of steps) {
    if (step.kind === "delete") continue;
    if (step.resource === "action") {
      work.push(mainOf(step.action));
      continue;
    }
    const want = byName.get(step.action);
    const sub = async () => {
      const state = await mainOf(step.action);
      const blocked = state === "missing" ? `the action ${step.action} could not be created` : undefined;
      return run(step, blocked, () => writeSubResource(ctx, want!, step));
    };
    if (step.resource === "headers" || step.resource === "dateProcessing") {
      // Both write the action resource itself: one after the other, so they do not race on its version.
      const previous = serial.get(step.action) ?? Promise.resolve();
      const next = previous.then(sub);
      serial.set(step.action, next);
      work.push(next);
    } else {
      work.push(sub());
    }
  }
  await Promise.all(work);

  // Deletes last (an update may drop a dependency on a deleted action), dependents first, one at a time.
  let deleteBlocked: string | undefined;
  for (const step of steps.filter((s) => s.kind === "delete")) {
    const result = await run(step, deleteBlocked, () => deleteAction(ctx, step.action));
    if (result.outcome !== "applied" && deleteBlocked === undefined)
      deleteBlocked = `an earlier delete (${step.action}) failed, and the actions after it may be its dependencies`;
  }

  const ordered = steps.map((s) => results.get(s)!);
  const applied: ApplyCounts = { created: 0, updated: 0, deleted: 0 };
  for (const r of ordered) {
    if (r.outcome !== "applied") continue;
    if (r.kind === "create") applied.created += 1;
    else if (r.kind === "update") applied.updated += 1;
    else applied.deleted += 1;
  }
  const failures = ordered.filter((r) => r.outcome !== "applied");
  return { ok: failures.length === 0, applied, failures, steps: ordered, via: "per-resource" };
}

function failure(step: ApplyStep, error: unknown): ApplyStepResult {
  const message = error instanceof Error ? error.message : String(error);
  if (!(error instanceof CxdaError)) {
    return { ...step, outcome: "failed", reason: message, state: "old" };
  }
  // A server answer means the write was refused whole; no answer (network, timeout) may hide a commit.
  const answered = error.status !== undefined && error.status < 500;
  return {
    ...step,
    outcome: "failed",
    reason: message,
    state: answered || error.attempts === 0 ? "old" : "unknown",
    ...(error.status !== undefined ? { status: error.status } : {}),
    ...(error.slug !== undefined ? { slug: error.slug } : {}),
  };
}

/**
 * A create's Idempotency-Key: the same tenant, name and content give the same key, so the POST of a
 * killed run is replayed by the next one. Secret header values are left out of the hash: the key lands
 * in audit logs, and a hash of a short secret could be guessed offline.
 */
export function createIdempotencyKey(
  tenant: string,
  spec: CreateActionSpec,
  secretHeaders: readonly string[] = [],
): string {
  const headers = (spec.config?.headers ?? {}) as Record<string, string>;
  const shown: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers))
    shown[name] = secretHeaders.includes(name) || isCredentialHeader(name, value) ? "***" : value;
  const content = { ...spec, config: { ...(spec.config ?? {}), headers: shown } };
  const hash = createHash("sha256")
    .update(`${tenant}\n${canonicalJson(content)}`)
    .digest("hex");
  return `cxda-apply-${hash.slice(0, 48)}`;
}

async function createStep(ctx: WorkflowContext, want: DesiredAction): Promise<"replayed" | undefined> {
  const spec = createSpecOf(want);
  const tenant = `${ctx.client.baseUrl} ${ctx.client.clientId}`;
  const key = createIdempotencyKey(tenant, spec, want.secretHeaders);
  let result: Awaited<ReturnType<typeof createAction>>;
  try {
    // The file's graph was validated offline; the server refuses unknown dependencies and cycles again.
    result = await createAction(ctx, spec, { idempotencyKey: key, checkGraph: false });
  } catch (error) {
    // The key was used with another body (a secret header changed since a killed run): a fresh key.
    if (!(error instanceof CxdaError && error.slug === "idempotency-key-reuse")) throw error;
    result = await createAction(ctx, spec, { idempotencyKey: freshKey(key), checkGraph: false });
  }
  if (!result.replayed) return undefined;
  // A replay answers what the first POST did; the action may have been deleted since.
  try {
    await ctx.client.actions.get(result.action.id);
    return "replayed";
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
    await createAction(ctx, spec, { idempotencyKey: freshKey(key), checkGraph: false });
    return undefined;
  }
}

function freshKey(key: string): string {
  return `${key}-${randomBytes(6).toString("hex")}`;
}

/** Type, description, script, request and dependencies in one PATCH (writeWithVersion: re-read on a conflict). */
async function updateCore(ctx: WorkflowContext, want: DesiredAction): Promise<Action> {
  const patch = {
    type: want.type,
    description: want.description,
    script: want.script ? { language: "JavaScript", content: want.script.content } : null,
    config: { request: want.request },
    dependencies: [...want.dependencies],
  };
  return patchAction(ctx, want.name, "actions.update", patch);
}

async function patchAction(
  ctx: WorkflowContext,
  name: string,
  operation: string,
  patch: Record<string, unknown>,
): Promise<Action> {
  return recorded(ctx, { operation, target: { name } }, async () => {
    let found: Action | undefined;
    const outcome = await writeWithVersion({
      what: `action ${name}`,
      read: async () => {
        found =
          found === undefined
            ? await ctx.client.actions.resolve(name)
            : (await ctx.client.actions.get(found.id)).body;
        return found;
      },
      build: () => patch,
      write: (body, current) => ctx.client.actions.patch(current.id, body, { version: current.version }),
    });
    if (!outcome.written) throw new Error("unreachable: a core update always sends");
    const response = outcome.value;
    return {
      value: response.body,
      response,
      target: { id: response.body.id, name: response.body.name },
      counts: { conflictRetries: outcome.conflicts },
      names: { fields: Object.keys(patch) },
      event: (latencyMs) => ({
        type: "action.updated",
        data: {
          actionId: response.body.id,
          actionName: response.body.name,
          latencyMs,
          version: response.body.version,
          fields: Object.keys(patch),
        },
      }),
    };
  });
}

async function writeSubResource(
  ctx: WorkflowContext,
  want: DesiredAction,
  step: ApplyStep,
): Promise<unknown> {
  switch (step.resource) {
    case "headers":
      return replaceHeaders(ctx, want.name, want.headers);
    case "dateProcessing": {
      const d = want.dateProcessing;
      if (d === null)
        return patchAction(ctx, want.name, "datetime.remove", { config: { dateProcessing: null } });
      return applyDateProcessing(ctx, want.name, ...dateProcessingArgs(d));
    }
    case "variables":
      return registerVariables(
        ctx,
        want.name,
        (want.variables ?? []).map((v) => ({
          name: v.name,
          type: v.type,
          value: v.value,
          encrypted: v.encrypted,
        })),
      );
    case "overrides":
      return applyOverrides(
        ctx,
        want.name,
        step.env!,
        (want.overrides?.[step.env!] ?? []).map((o) => ({
          name: o.name,
          value: o.value,
          masked: o.masked,
          ...(o.description ? { description: o.description } : {}),
        })),
        { replace: true },
      );
    case "action":
      throw new Error(`the action step of ${want.name} is not a sub-resource`);
  }
}

/**
 * A saved plan (`cxda plan --out`) may only be applied to the tenant it was computed against, and for
 * the file it was computed from: `fresh` is the plan computed now. Throws PlanDriftError otherwise.
 */
export function checkSavedPlan(
  saved: unknown,
  fresh: Plan,
  redact: (value: unknown) => unknown = (v) => v,
): void {
  const revision = isRecord(saved) ? saved.baseRevision : undefined;
  const digest = isRecord(saved) ? saved.liveDigest : undefined;
  if (
    !isRecord(saved) ||
    (typeof revision !== "number" && typeof digest !== "string") ||
    !Array.isArray(saved.changes)
  ) {
    throw new PlanDriftError(
      "the saved plan is not a plan written by `cxda plan --out` (no baseRevision or changes); run cxda plan --out again",
    );
  }
  // The revision when both reads had one (the server's own counter); else the client-side digest.
  const moved =
    typeof revision === "number" && fresh.baseRevision !== undefined
      ? revision !== fresh.baseRevision
      : typeof digest === "string" && fresh.liveDigest !== undefined
        ? digest !== fresh.liveDigest
        : // One read had a revision and the other did not (the server changed): nothing to compare.
          true;
  if (moved) {
    throw new PlanDriftError(
      "the tenant changed since this plan was made; run cxda plan again (nothing was applied)",
      { slug: "plan-drift" },
    );
  }
  if (canonicalJson(redact(fresh.changes)) !== canonicalJson(saved.changes)) {
    throw new PlanDriftError(
      "the project file changed since this plan was made (the tenant did not); run cxda plan again (nothing was applied)",
      { slug: "plan-drift" },
    );
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** At most `n` bodies at once; the others wait in arrival order. */
function limiter(n: number): <T>(body: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: (() => void)[] = [];
  return async (body) => {
    while (active >= n) await new Promise<void>((resolve) => waiting.push(resolve));
    active += 1;
    try {
      return await body();
    } finally {
      active -= 1;
      waiting.shift()?.();
    }
  };
}
