/**
 * `updateAction`: change an action's script, description or dependencies by name or id. The action
 * is read, the change checked offline with the emulator's own rules (merged into the stored action),
 * and only the fields that differ are sent as a merge patch with the version read (writeWithVersion:
 * a 409/412 re-reads and re-applies the same change). One `actions.update` audit line and one
 * `action.updated` event; nothing is sent when the action already is as asked.
 */
import { validateActionPayload } from "../domain/action-rules.js";
import { type Action, editableFieldsOf } from "../domain/action-schema.js";
import { scriptDiff } from "../domain/script-diff.js";
import { summarizeIssues } from "../domain/validation-result.js";
import { ValidationError } from "../errors.js";
import { recorded, type WorkflowContext } from "./operation.js";
import { NO_WRITE, type VersionedWriteOptions, writeWithVersion } from "./write-with-version.js";

export interface ActionChange {
  /** The new script content (JavaScript declaring main(context)); SCRIPT actions only. */
  script?: string;
  description?: string;
  /** The complete new list of dependency names ([] removes them all). */
  dependencies?: string[];
}

export type FieldChange =
  | { field: "script"; added: number; removed: number; unifiedDiff: string }
  | { field: "description"; before: string; after: string }
  | { field: "dependencies"; before: string[]; after: string[] };

export interface UpdateActionResult {
  /** The action as stored after the write (or as read, when nothing changed). */
  action: Action;
  /** What differed and was sent; empty when the action already was as asked (nothing sent). */
  changes: FieldChange[];
  /** The version the change was written on (the version before it). */
  fromVersion: number;
  /** Writes refused as stale and re-applied on a newer version. */
  conflictRetries: number;
}

export async function updateAction(
  ctx: WorkflowContext,
  ref: string,
  change: ActionChange,
  opts: VersionedWriteOptions = {},
): Promise<UpdateActionResult> {
  return recorded(ctx, { operation: "actions.update", target: { name: ref } }, async () => {
    let found: Action | undefined;
    let changes: FieldChange[] = [];
    const outcome = await writeWithVersion({
      ...opts,
      what: (current: Action) => `action ${current.name}`,
      read: async () => {
        found =
          found === undefined
            ? await ctx.client.actions.resolve(ref)
            : (await ctx.client.actions.get(found.id)).body;
        return found;
      },
      build: (current: Action) => {
        const built = buildPatch(current, change);
        changes = built.changes;
        return built.changes.length === 0 ? NO_WRITE : built.patch;
      },
      write: (patch, current) => ctx.client.actions.patch(current.id, patch, { version: current.version }),
    });
    const current = outcome.current;
    if (!outcome.written)
      return {
        value: {
          action: current,
          changes: [],
          fromVersion: current.version,
          conflictRetries: outcome.conflicts,
        },
        target: { id: current.id, name: current.name },
        details: { changed: false },
      };
    const response = outcome.value;
    const stored = response.body;
    const fields = changes.map((c) => c.field);
    return {
      value: { action: stored, changes, fromVersion: current.version, conflictRetries: outcome.conflicts },
      response,
      target: { id: stored.id, name: stored.name },
      counts: { conflictRetries: outcome.conflicts },
      names: { fields },
      event: (latencyMs) => ({
        type: "action.updated",
        data: { actionId: stored.id, actionName: stored.name, latencyMs, version: stored.version, fields },
      }),
    };
  });
}

/** The merge patch of the fields that differ, checked as the server will check the merged action. */
export function buildPatch(
  current: Action,
  change: ActionChange,
): { patch: Record<string, unknown>; changes: FieldChange[] } {
  const patch: Record<string, unknown> = {};
  const changes: FieldChange[] = [];
  if (change.script !== undefined) {
    if (current.type !== "SCRIPT" || !current.script) {
      const message = `script: ${current.name} is a ${current.type} action, which has no script; only a SCRIPT action's script can be updated`;
      throw new ValidationError(message, {
        issues: [{ path: "script", code: "validation-failed", message }],
      });
    }
    if (change.script !== current.script.content) {
      patch.script = { language: current.script.language, content: change.script };
      const diff = scriptDiff(current.script.content, change.script, {
        before: `${current.name} (version ${current.version})`,
        after: `${current.name} (new)`,
      });
      changes.push({ field: "script", ...diff });
    }
  }
  if (change.description !== undefined && change.description !== (current.description ?? "")) {
    patch.description = change.description;
    changes.push({ field: "description", before: current.description ?? "", after: change.description });
  }
  if (change.dependencies !== undefined) {
    const before = current.dependencies ?? [];
    const same =
      before.length === change.dependencies.length && before.every((d, i) => d === change.dependencies![i]);
    if (!same) {
      patch.dependencies = [...change.dependencies];
      changes.push({ field: "dependencies", before: [...before], after: [...change.dependencies] });
    }
  }
  if (changes.length > 0) {
    const check = validateActionPayload({ ...editableFieldsOf(current), ...patch });
    if (!check.ok)
      throw new ValidationError(summarizeIssues(check.issues, `The change to ${current.name}`), {
        slug: "validation-failed",
        issues: check.issues,
      });
  }
  return { patch, changes };
}
