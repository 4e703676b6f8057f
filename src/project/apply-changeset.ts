/**
 * `cxda apply` as one changeset (docs/api.md "Changesets"): the whole plan is written in one transaction,
 * so the tenant is at the old state or the new one, never between. Up to 1 000 operations and 8 MiB go
 * in one request; a larger plan is staged — opened, sent in batches (each replayable by its sequence),
 * then committed at once. The changeset carries the plan's `baseRevision`: a tenant that moved since the
 * plan was read answers 412 and nothing is written. A kill before the commit leaves nothing behind; a
 * re-run re-plans, so it converges with each action created once.
 */
import { CHANGESET_MAX_BYTES, CHANGESET_MAX_OPERATIONS } from "../client/resources/changesets.js";
import type { ChangesetResult } from "../client/types.js";
import type { ValidationIssue } from "../domain/validation-result.js";
import { CxdaError } from "../errors.js";
import { recorded, type WorkflowContext } from "../workflows/operation.js";
import {
  type ApplyCounts,
  type ApplyOperationError,
  type ApplyOptions,
  type ApplyResult,
  type ApplyStepResult,
  describeStep,
  stepsOf,
} from "./apply-steps.js";
import {
  changesetOperations,
  locateOperationError,
  type OperationOrigin,
  splitBatches,
} from "./changeset-plan.js";
import type { DesiredState } from "./desired-state.js";
import type { Plan } from "./plan.js";

/** An error of one batch, with the index of its first operation (the server numbers a batch's own). */
class BatchError extends Error {
  constructor(
    readonly error: unknown,
    readonly offset: number,
  ) {
    super(error instanceof Error ? error.message : String(error));
  }
}

export async function applyPlanAsChangeset(
  ctx: WorkflowContext,
  desired: DesiredState,
  plan: Plan,
  options: ApplyOptions = {},
): Promise<ApplyResult> {
  const steps = stepsOf(plan);
  const { operations, origins } = changesetOperations(desired, plan);
  const counts = countSteps(steps.map((s) => ({ ...s, outcome: "applied" as const })));
  const limits = options.batchLimits ?? {
    maxOperations: CHANGESET_MAX_OPERATIONS,
    maxBytes: CHANGESET_MAX_BYTES,
  };
  const batches = splitBatches(operations, limits);
  const base = plan.baseRevision === undefined ? {} : { baseRevision: plan.baseRevision };
  const description =
    options.description ??
    `cxda apply: ${counts.created} created, ${counts.updated} updated, ${counts.deleted} deleted`;
  const actions = [...new Set(origins.map((o) => o.action))];

  let committed: ChangesetResult;
  try {
    committed = await recorded(ctx, { operation: "project.apply" }, async () => {
      let response: Awaited<ReturnType<typeof ctx.client.changesets.create>>;
      if (batches.length <= 1) {
        response = await ctx.client.changesets.create({ ...base, description, operations });
      } else {
        const open = await ctx.client.changesets.open({ ...base, description });
        let offset = 0;
        for (const [i, batch] of batches.entries()) {
          try {
            await ctx.client.changesets.appendBatch(open.body.id, i + 1, batch);
          } catch (error) {
            throw new BatchError(error, offset);
          }
          offset += batch.length;
          options.onBatch?.({
            sequence: i + 1,
            total: batches.length,
            operations: batch.length,
            stage: "sent",
          });
        }
        response = await ctx.client.changesets.commit(open.body.id);
      }
      const body = response.body;
      return {
        value: body,
        response,
        target: { id: body.deploymentId },
        counts: { ...counts, operations: operations.length, batches: Math.max(1, batches.length) },
        names: { actions },
        details: { deploymentId: body.deploymentId, revision: body.revision, changesetId: body.id },
        event: (latencyMs) => ({
          type: "deployment.applied",
          data: {
            deploymentId: body.deploymentId,
            changesetId: body.id,
            revision: body.revision,
            description,
            counts,
            operations: operations.length,
            batches: Math.max(1, batches.length),
            actions,
            latencyMs,
          },
        }),
      };
    });
  } catch (thrown) {
    const offset = thrown instanceof BatchError ? thrown.offset : 0;
    const error = thrown instanceof BatchError ? thrown.error : thrown;
    return refused(steps, origins, error, offset, batches.length);
  }
  options.onBatch?.({
    sequence: Math.max(1, batches.length),
    total: Math.max(1, batches.length),
    operations: operations.length,
    stage: "committed",
  });
  const results: ApplyStepResult[] = steps.map((s) => ({ ...s, outcome: "applied" }));
  results.forEach((r, i) => {
    options.onDone?.(r, { done: i + 1, total: results.length });
  });
  return {
    ok: true,
    applied: counts,
    failures: [],
    steps: results,
    via: "changeset",
    deploymentId: committed.deploymentId,
    revision: committed.revision,
    changesetId: committed.id,
    batches: Math.max(1, batches.length),
  };
}

/** A refused (or unanswered) changeset: no step applied; the operations the server named are the failures. */
function refused(
  steps: ReturnType<typeof stepsOf>,
  origins: readonly OperationOrigin[],
  error: unknown,
  offset: number,
  batches: number,
): ApplyResult {
  const e = error instanceof CxdaError ? error : undefined;
  const message = error instanceof Error ? error.message : String(error);
  // A server answer below 500 refused the changeset whole; no answer (network, timeout, 5xx) may hide a commit.
  const answered = e !== undefined && (e.attempts === 0 || (e.status !== undefined && e.status < 500));
  const errors: ApplyOperationError[] = [];
  const failedSteps = new Map<string, string>();
  for (const issue of e?.issues ?? ([] as ValidationIssue[])) {
    const located = locateOperationError(issue.path, origins, offset);
    const entry: ApplyOperationError = { path: issue.path, code: issue.code, message: issue.message };
    if (located) {
      entry.index = located.index;
      entry.action = located.origin.action;
      entry.operation = located.origin.steps.map(describeStep).join(", ");
      if (located.filePath) entry.filePath = located.filePath;
      for (const step of located.origin.steps) failedSteps.set(describeStep(step), issue.message);
    }
    errors.push(entry);
  }
  const reasonOf = (s: (typeof steps)[number]) => failedSteps.get(describeStep(s));
  const results: ApplyStepResult[] = steps.map((s) => {
    const own = reasonOf(s);
    const base: ApplyStepResult = {
      ...s,
      outcome: own !== undefined || failedSteps.size === 0 ? "failed" : "skipped",
      reason:
        own ??
        (failedSteps.size === 0
          ? message
          : "not applied: another operation of the changeset was refused, so nothing was written"),
      state: answered ? "old" : "unknown",
      ...(e?.status !== undefined ? { status: e.status } : {}),
      ...(e?.slug !== undefined ? { slug: e.slug } : {}),
    };
    return base;
  });
  return {
    ok: false,
    applied: { created: 0, updated: 0, deleted: 0 },
    failures: results,
    steps: results,
    via: "changeset",
    batches: Math.max(1, batches),
    errors: errors.length > 0 ? errors : [{ path: "", code: e?.slug ?? "failed", message }],
  };
}

function countSteps(results: readonly ApplyStepResult[]): ApplyCounts {
  const counts: ApplyCounts = { created: 0, updated: 0, deleted: 0 };
  for (const r of results) {
    if (r.outcome !== "applied") continue;
    if (r.kind === "create") counts.created += 1;
    else if (r.kind === "update") counts.updated += 1;
    else counts.deleted += 1;
  }
  return counts;
}
