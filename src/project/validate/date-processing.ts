/** The `dateProcessing:` inputs of an action (the computed fields are derived at apply, never written). */
import { type DateTimeOperation, DEFAULT_PRECISION, validateDateProcessing } from "../../domain/datetime.js";
import type { IssuePath } from "../../domain/validation-result.js";
import type { DesiredDateProcessing } from "../desired-state.js";
import { type CheckContext, isRecord } from "./context.js";

const COMPUTED_FIELDS = new Set(["computedValue", "computedUtc"]);

export function checkDateProcessing(
  ctx: CheckContext,
  at: IssuePath,
  raw: unknown,
  label: string,
): DesiredDateProcessing | null {
  if (!isRecord(raw)) return null;
  const input = { ...raw, precision: raw.precision ?? DEFAULT_PRECISION };
  const base = [...at, "dateProcessing"];
  const issues = validateDateProcessing(input, []).issues.filter(
    (i) => i.code !== "unknown-field" && !COMPUTED_FIELDS.has(String(i.segments?.[0])),
  );
  ctx.domain(issues, base, label);
  return {
    sourceField: String(raw.sourceField),
    targetField: String(raw.targetField),
    sourceTimestamp: String(raw.sourceTimestamp),
    operation: raw.operation as DateTimeOperation,
    offsetMinutes: Number(raw.offsetMinutes),
    timezone: String(raw.timezone),
    precision: Number(input.precision),
  };
}
