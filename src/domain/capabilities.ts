/**
 * What a server may advertise in `GET /api/v2` (docs/api.md "Capabilities"): the SDK uses a feature
 * only when it is listed and falls back to the per-resource endpoints otherwise.
 */
export const KNOWN_CAPABILITIES = ["snapshot", "changesets", "deployments", "revisions"] as const;
export type Capability = (typeof KNOWN_CAPABILITIES)[number];

/** The body of `GET /api/v2`. */
export interface ApiIndex {
  apiVersion: string;
  capabilities: string[];
}

export function isKnownCapability(name: string): name is Capability {
  return (KNOWN_CAPABILITIES as readonly string[]).includes(name);
}

/** The capability names of a comma-separated list (`snapshot,changesets`), or the first unknown one. */
export function parseCapabilityList(text: string): { names: Capability[] } | { unknown: string } {
  const names: Capability[] = [];
  for (const raw of text.split(",")) {
    const name = raw.trim();
    if (name === "") continue;
    if (!isKnownCapability(name)) return { unknown: name };
    if (!names.includes(name)) names.push(name);
  }
  return { names };
}
