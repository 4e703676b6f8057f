/**
 * `createAction` (issue 4): validate locally with the emulator's own rules; check
 * dependencies and cycles against the LIVE tenant graph read with complete pagination (a new
 * node's own edges cannot show a cycle that runs through the rest of the tenant); POST with one
 * Idempotency-Key that every retry reuses; run the optional sandbox test; emit `action.created`; write
 * one `actions.create` audit line. Exhausted retries throw the client's typed error (never undefined).
 */
import { randomUUID } from "node:crypto";
import { validateActionPayload } from "../domain/action-rules.js";
import type { Action, ActionInput } from "../domain/action-schema.js";
import { checkDependencies, type DependencyGraph } from "../domain/dependency-graph.js";
import { summarizeIssues, type ValidationIssue } from "../domain/validation-result.js";
import { CxdaError, ValidationError } from "../errors.js";
import { recorded, type WorkflowContext } from "./operation.js";
import { runTest, type TestRunResult } from "./test-action.js";

/** The editable fields of the new action (`version` belongs to updates). */
export type CreateActionSpec = Omit<ActionInput, "version">;

export interface CreateActionOptions {
  /** When given, the new action's test runs with this `context.input` (null is a valid input). */
  testInput?: unknown;
  /** Environment of the test run. */
  testEnvironmentId?: string;
  /** The key every retry of the POST reuses; default a fresh UUID. */
  idempotencyKey?: string;
  /**
   * Check unknown dependencies and cycles against the live tenant graph before sending (default true).
   * Callers that already checked the graph — `cxda apply` validates the whole file's graph offline —
   * pass false to skip reading the tenant; the server enforces the same rules either way.
   */
  checkGraph?: boolean;
}

/** Why a requested test run gave no result (the action itself was created). */
export interface TestRunError {
  name: string;
  message: string;
  status?: number;
  slug?: string;
}

export interface CreateActionResult {
  action: Action;
  /** The test run's result; null when no test was asked for, or when it could not run (`testError`). */
  testResult: TestRunResult | null;
  testError?: TestRunError;
  /** The whole workflow, from validation to the end of the test run. */
  latencyMs: number;
  /** HTTP attempts of the create POST (a retried POST counts each attempt). */
  attempts: number;
  /** The Idempotency-Key the POST used. */
  idempotencyKey: string;
  /** True when the server replayed an earlier answer to the same key (a retry after a lost response). */
  replayed: boolean;
}

/** One ValidationError carrying every issue; the slug is shared when every issue has the same code. */
function validationError(issues: ValidationIssue[], what: string): ValidationError {
  const codes = new Set(issues.map((i) => i.code));
  const slug = codes.size === 1 ? [...codes][0]! : "validation-failed";
  return new ValidationError(summarizeIssues(issues, what), { slug, issues });
}

/** Unknown dependencies and a cycle closed through the new action, checked on the tenant's live graph. */
export function checkAgainstGraph(graph: DependencyGraph, spec: CreateActionSpec): ValidationIssue[] {
  return checkDependencies(graph, spec.name, spec.dependencies ?? []);
}

/** The tenant's dependency graph, every page of it (name → dependencies). */
export async function readTenantGraph(ctx: WorkflowContext): Promise<Record<string, string[]>> {
  const graph: Record<string, string[]> = {};
  for (const action of await ctx.client.actions.listAll({ pageSize: 100 }))
    Object.defineProperty(graph, action.name, {
      value: action.dependencies ?? [],
      enumerable: true,
      writable: true,
    });
  return graph;
}

export async function createAction(
  ctx: WorkflowContext,
  spec: CreateActionSpec,
  options: CreateActionOptions = {},
): Promise<CreateActionResult> {
  const name = typeof spec?.name === "string" ? spec.name : undefined;
  return recorded(ctx, { operation: "actions.create", ...(name ? { target: { name } } : {}) }, async () => {
    const now = ctx.clock ?? (() => performance.now());
    const started = now();
    const local = validateActionPayload(spec);
    if (!local.ok) throw validationError(local.issues, "The action");
    if (options.checkGraph !== false && (spec.dependencies ?? []).length > 0) {
      const graphIssues = checkAgainstGraph(await readTenantGraph(ctx), spec);
      if (graphIssues.length > 0) throw validationError(graphIssues, "The dependencies");
    }
    const idempotencyKey = options.idempotencyKey ?? randomUUID();
    const created = await ctx.client.actions.create(spec, { idempotencyKey });
    const action = created.body;
    let testResult: TestRunResult | null = null;
    let testError: TestRunError | undefined;
    if (Object.hasOwn(options, "testInput")) {
      try {
        testResult = (
          await runTest(ctx, action.id, {
            input: options.testInput,
            ...(options.testEnvironmentId === undefined ? {} : { environmentId: options.testEnvironmentId }),
          })
        ).result;
      } catch (error) {
        // The action exists now: a test that cannot run is reported with the result, not as a failed create.
        if (!(error instanceof CxdaError)) throw error;
        testError = {
          name: error.name,
          message: error.message,
          ...(error.status === undefined ? {} : { status: error.status }),
          ...(error.slug === undefined ? {} : { slug: error.slug }),
        };
      }
    }
    const value: CreateActionResult = {
      action,
      testResult,
      ...(testError ? { testError } : {}),
      latencyMs: Math.round(now() - started),
      attempts: created.attempts,
      idempotencyKey: created.idempotencyKey ?? idempotencyKey,
      replayed: created.replayed,
    };
    return {
      value,
      response: created,
      target: { id: action.id, name: action.name },
      counts: { dependencies: action.dependencies.length },
      ...(action.dependencies.length > 0 ? { names: { dependencies: action.dependencies } } : {}),
      details: {
        replayed: created.replayed,
        ...(testResult ? { testStatus: testResult.status, testDurationMs: testResult.durationMs } : {}),
        ...(testError ? { testError: testError.message } : {}),
      },
      event: (latencyMs) => ({
        type: "action.created",
        data: {
          actionId: action.id,
          actionName: action.name,
          latencyMs,
          version: action.version,
          dependencies: action.dependencies,
          ...(testResult ? { testStatus: testResult.status, testDurationMs: testResult.durationMs } : {}),
        },
      }),
    };
  });
}
