/**
 * `applyDateProcessing` (issue 8): find an action by name over every page, compute the
 * date/time result offline, write `config.dateProcessing` with the version read (writeWithVersion:
 * re-read and written again on 409/412), and record one `datetime.apply` audit line and one `datetime.applied` event.
 */
import { Temporal } from "temporal-polyfill";
import type { Action } from "../domain/action-schema.js";
import {
  buildDateProcessing,
  type DateProcessing,
  type DateTimeInput,
  explainDateTime,
  validateDateProcessing,
  validateDateTimeInput,
} from "../domain/datetime.js";
import { NotFoundError, ValidationError } from "../errors.js";
import { recorded, type WorkflowContext } from "./operation.js";
import { type VersionedWriteOptions, writeWithVersion } from "./write-with-version.js";

/** The default field names, used when the caller names none. */
export const DEFAULT_DATE_FIELDS = {
  sourceField: "input_datetime",
  targetField: "processed_datetime",
} as const;

export interface DateProcessingFields {
  sourceField?: string;
  targetField?: string;
}

export interface ApplyDateProcessingResult {
  /** The action as stored after the write. */
  action: Action;
  dateProcessing: DateProcessing;
  /** From the first lookup to the confirmed write. */
  latencyMs: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function applyDateProcessing(
  ctx: WorkflowContext,
  ref: string,
  payload: DateTimeInput,
  fields: DateProcessingFields = {},
  opts: VersionedWriteOptions = {},
): Promise<ApplyDateProcessingResult> {
  const now = ctx.clock ?? (() => performance.now());
  const started = now();
  let latencyMs = 0;
  const action = await recorded(ctx, { operation: "datetime.apply", target: { name: ref } }, async () => {
    // Every check is offline and first: bad input never costs a request.
    let dateProcessing = prepare(payload, fields);
    const explanation = explainDateTime(payload);
    let found: Action | undefined;
    const outcome = await writeWithVersion({
      ...opts,
      what: (current: Action) => `the date processing of action ${current.name}`,
      read: async () => {
        found =
          found === undefined ? await findAction(ctx, ref) : (await ctx.client.actions.get(found.id)).body;
        return found;
      },
      // Someone wrote in between (a stale version); the same value is written again on the new version.
      build: (current: Action) => {
        dateProcessing = keepFields(dateProcessing, current, fields);
        return { config: { dateProcessing } };
      },
      write: (patch, current) => ctx.client.actions.patch(current.id, patch, { version: current.version }),
    });
    if (!outcome.written) throw new Error("unreachable: a date processing write always sends");
    const response = outcome.value;
    const conflicts = outcome.conflicts;
    latencyMs = Math.round(now() - started);
    const stored = response.body;
    const delta = accuracy(explanation);
    return {
      value: stored,
      response,
      target: { id: stored.id, name: stored.name },
      counts: { conflictRetries: conflicts },
      details: {
        input: inputOf(dateProcessing),
        output: {
          computedValue: explanation.computedValue,
          computedUtc: explanation.computedUtc,
          epochMs: explanation.epochMs,
          offsetBefore: explanation.offsetBefore,
          offsetAfter: explanation.offsetAfter,
        },
        accuracy: delta,
        version: stored.version,
      },
      event: (ms) => ({
        type: "datetime.applied",
        data: {
          actionId: stored.id,
          actionName: stored.name,
          latencyMs: ms,
          version: stored.version,
          timezone: dateProcessing.timezone,
          operation: dateProcessing.operation,
          offsetMinutes: dateProcessing.offsetMinutes,
          precision: dateProcessing.precision,
          computedValue: dateProcessing.computedValue,
          computedUtc: dateProcessing.computedUtc,
        },
      }),
    };
  });
  return { action, dateProcessing: action.config.dateProcessing as unknown as DateProcessing, latencyMs };
}

/**
 * A field name the caller did not give stays what the action has (`--minutes 60` alone must not reset
 * `sourceField`/`targetField`); only an action with no date processing yet gets the defaults.
 */
function keepFields(built: DateProcessing, current: Action, fields: DateProcessingFields): DateProcessing {
  const existing = current.config?.dateProcessing;
  const named = (key: "sourceField" | "targetField"): string =>
    fields[key] ?? (typeof existing?.[key] === "string" && existing[key] !== "" ? existing[key] : built[key]);
  return { ...built, sourceField: named("sourceField"), targetField: named("targetField") };
}

/** The `config.dateProcessing` to write, checked by the same rules the server applies. */
export function prepare(payload: DateTimeInput, fields: DateProcessingFields = {}): DateProcessing {
  const inputCheck = validateDateTimeInput(payload);
  const names = {
    sourceField: fields.sourceField ?? DEFAULT_DATE_FIELDS.sourceField,
    targetField: fields.targetField ?? DEFAULT_DATE_FIELDS.targetField,
  };
  if (!inputCheck.ok) throw invalid(inputCheck.issues);
  const built = buildDateProcessing(payload, names);
  const check = validateDateProcessing(built, ["config", "dateProcessing"]);
  if (!check.ok) throw invalid(check.issues);
  return built;
}

/**
 * An id is read directly; a name is looked for over EVERY page of `nameContains=<ref>` (
 * skipped pages and took any first entity), stopping at the exact match or the last page.
 */
export async function findAction(ctx: WorkflowContext, ref: string): Promise<Action> {
  if (UUID.test(ref)) {
    try {
      return (await ctx.client.actions.get(ref)).body;
    } catch (error) {
      // The action name pattern also allows uuid-looking names.
      if (!(error instanceof NotFoundError)) throw error;
    }
  }
  for await (const action of ctx.client.actions.list({ nameContains: ref, pageSize: 100 })) {
    if (action.name === ref) return action;
  }
  throw new NotFoundError(
    `no action has the id or name "${ref}"; list them with \`cxda actions list --name-contains ${ref}\``,
    { status: 404, slug: "not-found" },
  );
}

function invalid(issues: ValidationError["issues"]): ValidationError {
  return new ValidationError(`invalid date/time input: ${issues.map((i) => i.message).join("; ")}`, {
    slug: "validation-failed",
    issues,
  });
}

function inputOf(d: DateProcessing) {
  const { computedValue: _value, computedUtc: _utc, ...input } = d;
  return input;
}

/** The §4.2 verification as recorded: how far the result moved from the truncated source. */
function accuracy(e: ReturnType<typeof explainDateTime>) {
  const unit = 10n ** BigInt(9 - e.precision);
  const sourceNs = Temporal.Instant.from(e.sourceUtc).epochNanoseconds;
  const floored = sourceNs - (((sourceNs % unit) + unit) % unit);
  const actualDeltaMs = e.epochMs - Number(floored / 1_000_000n);
  const expectedDeltaMs = (e.operation === "ADD_OFFSET" ? 1 : -1) * e.offsetMinutes * 60_000;
  return { ok: e.accurate && actualDeltaMs === expectedDeltaMs, expectedDeltaMs, actualDeltaMs };
}
