/**
 * Every mutating workflow runs through `recorded`: it times the operation, and on success or failure
 * hands one record to the OperationRecorder (one audit line, the event to the hook and the webhook).
 */

import type { CxdaEventInput } from "../audit/events.js";
import type { OperationRecorder } from "../audit/recorder.js";
import type { CxdaClient } from "../client/types.js";
import { CxdaError } from "../errors.js";

export interface WorkflowContext {
  client: CxdaClient;
  /** Absent in pure SDK use without an audit log, webhook or event hook. */
  recorder?: OperationRecorder | undefined;
  clock?: () => number;
}

export interface OperationMeta {
  operation: string;
  target?: { id?: string; name?: string };
  environment?: string;
}

export interface ResponseFacts {
  status: number;
  attempts: number;
  requestId?: string | undefined;
  idempotencyKey?: string | undefined;
}

export interface OperationOutcome<T> {
  value: T;
  /** The decisive HTTP response (the write), for status, attempts, request id and idempotency key. */
  response?: ResponseFacts;
  /** When the target is only known after the operation (a create), its id and name. */
  target?: { id?: string; name?: string };
  counts?: Record<string, number>;
  names?: Record<string, string[]>;
  details?: Record<string, unknown>;
  /** The event to emit, built once the operation's latency is known. */
  event?: (latencyMs: number) => CxdaEventInput;
}

export async function recorded<T>(
  ctx: WorkflowContext,
  meta: OperationMeta,
  body: () => Promise<OperationOutcome<T>>,
): Promise<T> {
  const now = ctx.clock ?? (() => performance.now());
  const started = now();
  let outcome: OperationOutcome<T>;
  try {
    outcome = await body();
  } catch (error) {
    if (ctx.recorder) {
      const e = error instanceof CxdaError ? error : undefined;
      await ctx.recorder.record({
        operation: meta.operation,
        ...(meta.target ? { target: meta.target } : {}),
        ...(meta.environment ? { environment: meta.environment } : {}),
        outcome: "failure",
        ...(e?.status !== undefined ? { status: e.status } : {}),
        ...(e?.slug !== undefined ? { problem: e.slug } : e ? { problem: e.name } : {}),
        error: error instanceof Error ? error.message : String(error),
        ...(e && e.attempts > 0 ? { attempts: e.attempts } : {}),
        latencyMs: Math.round(now() - started),
        ...(e?.requestId !== undefined ? { requestId: e.requestId } : {}),
      });
    }
    throw error;
  }
  const latencyMs = Math.round(now() - started);
  if (ctx.recorder) {
    const target = { ...meta.target, ...outcome.target };
    const r = outcome.response;
    await ctx.recorder.record(
      {
        operation: meta.operation,
        ...(Object.keys(target).length > 0 ? { target } : {}),
        ...(meta.environment ? { environment: meta.environment } : {}),
        outcome: "success",
        ...(r ? { status: r.status, attempts: r.attempts } : {}),
        latencyMs,
        ...(r?.requestId !== undefined ? { requestId: r.requestId } : {}),
        ...(r?.idempotencyKey !== undefined ? { idempotencyKey: r.idempotencyKey } : {}),
        ...(outcome.counts ? { counts: outcome.counts } : {}),
        ...(outcome.names ? { names: outcome.names } : {}),
        ...(outcome.details ? { details: outcome.details } : {}),
      },
      outcome.event?.(latencyMs),
    );
  }
  return outcome.value;
}
