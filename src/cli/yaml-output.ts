/**
 * `--output yaml`'s printer, loaded only when asked for. A static import of `yaml` here: in the bundled
 * CLI a dynamic `import("yaml")` of that CommonJS package yields no named exports.
 */
import { stringify } from "yaml";

export function toYaml(body: unknown): string {
  return stringify(body);
}
