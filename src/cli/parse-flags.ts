/** Checks for flag values commander cannot express; each failure is a usage error (exit 64). */
import { UsageError } from "./exit-codes.js";

export function intFlag(name: string, raw: unknown, min: number, max: number): number | undefined {
  if (raw === undefined) return undefined;
  const text = String(raw);
  if (!/^-?\d+$/.test(text))
    throw new UsageError(`${name} must be a whole number from ${min} to ${max}, got '${text.slice(0, 40)}'`);
  const value = Number(text);
  if (value < min || value > max) throw new UsageError(`${name} must be from ${min} to ${max}, got ${value}`);
  return value;
}
