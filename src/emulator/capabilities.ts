/** The capabilities this emulator implements, less those its config disables (`disableCapabilities`). */
import type { Capability } from "../domain/capabilities.js";
import type { EmulatorConfig } from "./config.js";

/** What is built so far; the other known names (docs/api.md) are accepted by `disableCapabilities`. */
const IMPLEMENTED: readonly Capability[] = ["snapshot", "changesets", "deployments", "revisions"];

export function servedCapabilities(config: EmulatorConfig): Capability[] {
  return IMPLEMENTED.filter((name) => !config.disableCapabilities.includes(name));
}
