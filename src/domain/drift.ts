/**
 * Cross-environment drift: which variables differ between a baseline and a target environment.
 * Masked values are compared by fingerprint only and always shown as "***" (never "***" against
 * plaintext, and a variable missing on one side is a difference).
 */

/** One variable of an environment, as `GET …/environments/{envId}/variables` returns it. */
export interface EnvVar {
  name: string;
  value: string;
  masked: boolean;
  fingerprint?: string;
}

export type EnvVarSet = readonly EnvVar[];

export const DRIFT_KINDS = [
  "value_mismatch",
  "masked_mismatch",
  "only_in_target",
  "only_in_baseline",
] as const;
export type DriftKind = (typeof DRIFT_KINDS)[number];

export interface DriftEntry {
  name: string;
  kind: DriftKind;
  /** The baseline's value as it may be shown: "***" when masked; absent when not in the baseline. */
  baseline?: string;
  /** The target's value as it may be shown: "***" when masked; absent when not in the target. */
  target?: string;
}

/** Differences per kind, and `count`, the number of differences. */
export type DriftSummary = Record<DriftKind, number> & { count: number };

const MASKED_SHOWN = "***";

/**
 * Compares two environments name by name (names are case-sensitive; a name listed twice counts once, the
 * last wins) and returns the differences sorted by name. Two plain values compare by value. When either
 * side is masked, only fingerprints are compared: equal fingerprints are no drift, anything else (including
 * a missing fingerprint) is a `masked_mismatch`.
 */
export function diffEnvironments(baseline: EnvVarSet, target: EnvVarSet): DriftEntry[] {
  const before = byName(baseline);
  const after = byName(target);
  const names = [...new Set([...before.keys(), ...after.keys()])].sort(compareCodeUnits);
  const entries: DriftEntry[] = [];
  for (const name of names) {
    const b = before.get(name);
    const t = after.get(name);
    if (b && !t) entries.push({ name, kind: "only_in_baseline", baseline: shownValue(b) });
    else if (t && !b) entries.push({ name, kind: "only_in_target", target: shownValue(t) });
    else if (b && t) {
      const kind = compare(b, t);
      if (kind) entries.push({ name, kind, baseline: shownValue(b), target: shownValue(t) });
    }
  }
  return entries;
}

/** Counts entries per kind, plus their number (`count`). */
export function summarizeDrift(entries: readonly DriftEntry[]): DriftSummary {
  const summary: DriftSummary = {
    count: entries.length,
    value_mismatch: 0,
    masked_mismatch: 0,
    only_in_target: 0,
    only_in_baseline: 0,
  };
  for (const entry of entries) summary[entry.kind]++;
  return summary;
}

function compare(b: EnvVar, t: EnvVar): DriftKind | undefined {
  if (b.masked || t.masked) {
    const same = b.fingerprint !== undefined && b.fingerprint === t.fingerprint;
    return same ? undefined : "masked_mismatch";
  }
  return b.value === t.value ? undefined : "value_mismatch";
}

function shownValue(v: EnvVar): string {
  return v.masked ? MASKED_SHOWN : v.value;
}

function byName(set: EnvVarSet): Map<string, EnvVar> {
  const map = new Map<string, EnvVar>();
  for (const v of set) map.set(v.name, v);
  return map;
}

/** Locale-independent order, so reports are the same on every machine. */
function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
