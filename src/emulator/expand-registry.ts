/**
 * `expand=` on list endpoints: a registry of expanders. A later issue that adds a
 * sub-resource (variables, environment overrides) registers one here; the list route then embeds its
 * data under the expander's name. Unknown values → 400 naming the allowed ones. Starts empty: no
 * sub-resource exists yet, and no data is ever faked.
 */

import { ProblemError } from "./problem.js";
import type { Store, StoredAction } from "./store/store.js";

export interface ExpandContext {
  store: Store;
  tenantId: string;
}

/** Returns, for each action of a page, the value to embed under `name`. */
export type Expander = (actions: StoredAction[], context: ExpandContext) => unknown[];

export class ExpandRegistry {
  private readonly expanders = new Map<string, Expander>();

  register(name: string, expander: Expander): void {
    this.expanders.set(name, expander);
  }

  names(): string[] {
    return [...this.expanders.keys()].sort();
  }

  /** Parses `expand=a,b` into known names, or throws 400 naming the parameter and the allowed values. */
  parse(raw: unknown): string[] {
    if (raw === undefined || raw === "") return [];
    if (typeof raw !== "string")
      throw new ProblemError("validation-failed", "expand must be given once, as a comma-separated list.", {
        issues: [{ path: "expand", code: "validation-failed", message: "expand must be given once" }],
      });
    const names = [
      ...new Set(
        raw
          .split(",")
          .map((s) => s.trim())
          .filter((s) => s !== ""),
      ),
    ];
    const unknown = names.filter((n) => !this.expanders.has(n));
    if (unknown.length > 0) {
      const allowed = this.names();
      throw new ProblemError(
        "validation-failed",
        `expand has unknown value ${unknown.map((u) => JSON.stringify(u)).join(", ")}; ${
          allowed.length === 0 ? "no expansions are available yet" : `allowed: ${allowed.join(", ")}`
        }.`,
        {
          issues: unknown.map((u) => ({
            path: "expand",
            code: "validation-failed",
            message: `expand value "${u}" is not supported`,
          })),
        },
      );
    }
    return names;
  }

  /** Adds each expansion to the page's resources. */
  apply(
    names: string[],
    actions: StoredAction[],
    docs: Record<string, unknown>[],
    context: ExpandContext,
  ): void {
    for (const name of names) {
      const values = this.expanders.get(name)!(actions, context);
      docs.forEach((doc, i) => {
        doc[name] = values[i];
      });
    }
  }
}
