// How a matrix cell is coloured: the strongest kind of drift among its entries.

export const CELL_KINDS = [
  { kind: "value", label: "value differs", entry: ["value_mismatch"] },
  { kind: "masked", label: "masked value differs", entry: ["masked_mismatch"] },
  { kind: "only", label: "only in one side", entry: ["only_in_target", "only_in_baseline"] },
  { kind: "same", label: "same as baseline", entry: [] },
];

export const ENTRY_LABELS = {
  value_mismatch: "value differs",
  masked_mismatch: "masked value differs",
  only_in_target: "only in target",
  only_in_baseline: "only in baseline",
};

export function cellKind(entries) {
  if (!entries || entries.length === 0) return "same";
  for (const k of CELL_KINDS) if (entries.some((e) => k.entry.includes(e.kind))) return k.kind;
  return "same";
}

export function driftOf(model, baseline, target, name) {
  return model.drift[baseline]?.[target]?.[name] ?? [];
}

/** The environments where `name` differs from the baseline. */
export function driftingEnvironments(model, baseline, name) {
  return model.environments
    .filter((e) => e.id !== baseline && driftOf(model, baseline, e.id, name).length > 0)
    .map((e) => e.id);
}
