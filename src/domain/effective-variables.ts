/**
 * Effective variables (docs: the variables a run sees): override(A,E) ▸ action variable ▸ global variable,
 * by name. Generic over the value: the emulator passes decrypted, typed values (what the sandbox gets),
 * the SDK passes the values the API returned, secrets already masked. Reading the layers is the caller's
 * job, so this module depends on neither side.
 */

/** Lowest precedence first: a later layer's variable hides an earlier one of the same name. */
export const VARIABLE_SOURCES = ["global", "action", "override"] as const;

export type VariableSource = (typeof VARIABLE_SOURCES)[number];

/** One variable of one layer. */
export interface LayerVariable<T> {
  name: string;
  value: T;
  /** An encrypted variable or a masked override. */
  secret: boolean;
}

export type VariableLayers<T> = Readonly<Record<VariableSource, readonly LayerVariable<T>[]>>;

export interface EffectiveVariable<T> {
  name: string;
  value: T;
  /** The layer the value comes from. */
  source: VariableSource;
  secret: boolean;
  /** The lower layers whose variable of the same name this one hides, lowest first. */
  shadows: Exclude<VariableSource, "override">[];
}

/**
 * Every effective variable by name, in the order names first appear from the lowest layer up (a name
 * keeps its place when a higher layer overrides it).
 */
export function resolveEffectiveVariables<T>(layers: VariableLayers<T>): Map<string, EffectiveVariable<T>> {
  const byName = new Map<string, EffectiveVariable<T>>();
  for (const source of VARIABLE_SOURCES)
    for (const item of layers[source]) {
      const below = byName.get(item.name);
      const shadows =
        below === undefined
          ? []
          : below.source === source // a name twice in one layer: the later item wins, hiding nothing new
            ? below.shadows
            : [...below.shadows, below.source as Exclude<VariableSource, "override">];
      byName.set(item.name, { name: item.name, value: item.value, source, secret: item.secret, shadows });
    }
  return byName;
}
