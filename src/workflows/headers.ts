/**
 * Header edits with no lost updates (issue 5): read the action, apply the edit, validate the
 * RESULTING matrix, write it with the version read (writeWithVersion: on 409/412 re-read and re-apply
 * the same edit, bounded, with jittered backoff). Audit lines, events and `onSync` carry names and byte
 * counts only: header values may be credentials. Network errors and 429 are the client core's job.
 */
import type { Action } from "../domain/action-schema.js";
import { isCredentialHeader } from "../domain/credential-header.js";
import {
  applyHeaderEdit,
  diffHeaderMatrices,
  HEADER_NAME_PATTERN,
  type HeaderEdit,
  totalHeaderBytes,
  validateHeaders,
} from "../domain/headers.js";
import { issue, joinPath, type ValidationIssue } from "../domain/validation-result.js";
import { ValidationError } from "../errors.js";
import { recorded, type WorkflowContext } from "./operation.js";
import { NO_WRITE, type VersionedWriteOptions, writeWithVersion } from "./write-with-version.js";

export type HeaderOperation = "headers.set" | "headers.unset" | "headers.replace";

/** What `onSync` receives after a successful write (a security-gateway hook): names only. */
export interface HeadersSyncEvent {
  type: "headers.updated";
  operation: HeaderOperation;
  actionId: string;
  actionName: string;
  version: number;
  added: string[];
  changed: string[];
  removed: string[];
  headerCount: number;
  bytesBefore: number;
  bytesAfter: number;
}

/** `maxAttempts`, backoff, `random` and `sleep` are writeWithVersion's (30 rounds, 20 ms → 1 s jitter). */
export interface HeaderEditOptions extends VersionedWriteOptions {
  /** Called after a successful write; a failure is recorded in the audit line and `syncError`, never thrown. */
  onSync?: (event: HeadersSyncEvent) => void | Promise<void>;
}

export interface HeaderEditResult {
  /** The action as written (or as read, when the edit changed nothing). */
  action: Action;
  added: string[];
  changed: string[];
  removed: string[];
  bytesBefore: number;
  bytesAfter: number;
  /** Writes sent (read-apply-write rounds that reached the PATCH); 0 when nothing changed. */
  attempts: number;
  /** 409/412 answers that made the edit re-read and re-apply. */
  conflicts: number;
  /** True when the matrix already was the requested one: nothing was written. */
  unchanged: boolean;
  /** Why `onSync` failed, when it did (redacted). */
  syncError?: string;
}

/** Adds or changes headers; the others stay. Names match case-insensitively and take the new spelling. */
export function setHeaders(
  ctx: WorkflowContext,
  ref: string,
  headers: Record<string, string>,
  opts: HeaderEditOptions = {},
): Promise<HeaderEditResult> {
  return editHeaders(ctx, ref, { kind: "set", headers }, opts);
}

/** Removes headers by name (case-insensitive); names that are not there are ignored. */
export function unsetHeaders(
  ctx: WorkflowContext,
  ref: string,
  names: string[],
  opts: HeaderEditOptions = {},
): Promise<HeaderEditResult> {
  return editHeaders(ctx, ref, { kind: "unset", names }, opts);
}

/** Makes the matrix exactly `headers` (an empty object removes every header). */
export function replaceHeaders(
  ctx: WorkflowContext,
  ref: string,
  headers: Record<string, string>,
  opts: HeaderEditOptions = {},
): Promise<HeaderEditResult> {
  return editHeaders(ctx, ref, { kind: "replace", headers }, opts);
}

/** The current matrix of an action, with its byte total (values included: callers decide what to show). */
export async function getHeaders(
  ctx: WorkflowContext,
  ref: string,
): Promise<{ action: Action; headers: Record<string, string>; totalBytes: number }> {
  const action = await ctx.client.actions.resolve(ref);
  const headers = { ...(action.config?.headers ?? {}) };
  return { action, headers, totalBytes: totalHeaderBytes(headers) };
}

/**
 * Problems with an edit itself, found before anything is read or sent: set/replace headers must form a
 * valid matrix on their own (every header rule), unset names must be header names.
 */
export function checkHeaderEdit(edit: HeaderEdit): ValidationIssue[] {
  if (edit.kind === "unset") {
    if (!Array.isArray(edit.names) || edit.names.length === 0)
      return [issue("names", "validation-failed", "unset needs at least one header name")];
    const issues: ValidationIssue[] = [];
    edit.names.forEach((name, i) => {
      if (typeof name !== "string" || name === "")
        issues.push(
          issue(joinPath("names", i), "validation-failed", `names[${i}] is empty; give a header name`),
        );
      else if (!HEADER_NAME_PATTERN.test(name))
        issues.push(
          issue(
            joinPath("names", i),
            "validation-failed",
            `names[${i}] '${Array.from(name).slice(0, 64).join("")}' is not a header name (^[A-Za-z0-9_-]+$), so no header can have it`,
          ),
        );
    });
    return issues;
  }
  const headers: unknown = edit.headers;
  if (edit.kind === "set" && isPlainRecord(headers) && Object.keys(headers).length === 0)
    return [issue("config.headers", "validation-failed", "set needs at least one header (NAME=VALUE)")];
  return validateHeaders(headers).issues;
}

async function editHeaders(
  ctx: WorkflowContext,
  ref: string,
  edit: HeaderEdit,
  opts: HeaderEditOptions,
): Promise<HeaderEditResult> {
  const operation: HeaderOperation = `headers.${edit.kind}`;
  return recorded<HeaderEditResult>(ctx, { operation, target: { name: ref } }, async () => {
    const problems = checkHeaderEdit(edit);
    if (problems.length > 0) throw invalidEdit(ref, problems);
    // Values of credential-like headers become secrets of this client: no sink may print them.
    if (edit.kind !== "unset")
      for (const [name, value] of Object.entries(edit.headers))
        if (isCredentialHeader(name, value)) ctx.client.redactor.register(value);

    let action: Action | undefined;
    const outcome = await writeWithVersion({
      ...opts,
      what: (current: Action) => `the headers of action ${current.name}`,
      read: async (round) =>
        round === 1 || action === undefined
          ? await ctx.client.actions.resolve(ref)
          : (await ctx.client.actions.get(action.id)).body,
      build: (current, round) => {
        action = current;
        const before = { ...(current.config?.headers ?? {}) };
        const after = applyHeaderEdit(before, edit);
        const result = validateHeaders(after);
        if (!result.ok) throw invalidEdit(current.name, result.issues, round > 1);
        const diff = diffHeaderMatrices(before, after);
        if (diff.added.length + diff.changed.length + diff.removed.length === 0) return NO_WRITE;
        return { before, after, diff };
      },
      write: ({ before, after }, current) =>
        ctx.client.actions.patch(
          current.id,
          { config: { headers: mergePatchOf(before, after) } },
          { version: current.version },
        ),
    });
    const { writes, conflicts } = outcome;
    const target = { id: outcome.current.id, name: outcome.current.name };
    if (!outcome.written) {
      const headers = { ...(outcome.current.config?.headers ?? {}) };
      const diff = diffHeaderMatrices(headers, headers);
      return {
        value: { action: outcome.current, ...diff, attempts: writes, conflicts, unchanged: true },
        target,
        counts: counts(diff, Object.keys(headers).length, conflicts, writes),
        names: { added: diff.added, changed: diff.changed, removed: diff.removed },
        details: { unchanged: true },
      };
    }
    const { after, diff } = outcome.plan;
    const response = outcome.value;
    const names = { added: diff.added, changed: diff.changed, removed: diff.removed };
    const written = response.body;
    const sync: HeadersSyncEvent = {
      type: "headers.updated",
      operation,
      actionId: written.id,
      actionName: written.name,
      version: written.version,
      ...names,
      headerCount: Object.keys(after).length,
      bytesBefore: diff.bytesBefore,
      bytesAfter: diff.bytesAfter,
    };
    let syncError: string | undefined;
    if (opts.onSync) {
      try {
        await opts.onSync(sync);
      } catch (error) {
        syncError = ctx.client.redactor.redactString(error instanceof Error ? error.message : String(error));
      }
    }
    return {
      value: {
        action: written,
        ...diff,
        attempts: writes,
        conflicts,
        unchanged: false,
        ...(syncError === undefined ? {} : { syncError }),
      },
      response: {
        status: response.status,
        attempts: outcome.conflictAttempts + response.attempts,
        requestId: response.requestId,
      },
      target,
      counts: counts(diff, Object.keys(after).length, conflicts, writes),
      names,
      ...(syncError === undefined ? {} : { details: { onSyncError: syncError } }),
      event: (latencyMs) => ({
        type: "headers.updated",
        data: {
          actionId: written.id,
          actionName: written.name,
          latencyMs,
          version: written.version,
          set: [...diff.added, ...diff.changed].sort(),
          removed: diff.removed,
          headerCount: sync.headerCount,
          totalBytes: diff.bytesAfter,
        },
      }),
    };
  });
}

function counts(
  diff: ReturnType<typeof diffHeaderMatrices>,
  headers: number,
  conflicts: number,
  writes: number,
): Record<string, number> {
  return {
    added: diff.added.length,
    changed: diff.changed.length,
    removed: diff.removed.length,
    headers,
    bytesBefore: diff.bytesBefore,
    bytesAfter: diff.bytesAfter,
    conflicts,
    writes,
  };
}

/** The merge patch (RFC 7396) that turns `before` into `after`: every header of `after`, and null for
 *  every spelling of `before` that `after` lacks (a respelled name is removed, then added). */
export function mergePatchOf(
  before: Readonly<Record<string, string>>,
  after: Readonly<Record<string, string>>,
): Record<string, string | null> {
  const patch: Record<string, string | null> = {};
  for (const name of Object.keys(before)) if (!Object.hasOwn(after, name)) patch[name] = null;
  for (const [name, value] of Object.entries(after)) patch[name] = value;
  return patch;
}

function invalidEdit(name: string, issues: ValidationIssue[], afterConflict = false): ValidationError {
  const count = issues.length === 1 ? "1 problem" : `${issues.length} problems`;
  const why = afterConflict ? " once applied to the latest version (another editor changed it)" : "";
  return new ValidationError(
    `header edit refused for action ${name}${why}: ${count}, nothing was written; ${issues[0]!.message}`,
    { issues },
  );
}

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
