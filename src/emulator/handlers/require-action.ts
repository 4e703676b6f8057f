/** The stored action a route names, or a 404 (another tenant's action is not found either). */
import { ProblemError } from "../problem.js";
import type { Store, StoredAction } from "../store/store.js";

export function requireAction(store: Store, tenantId: string, id: string): StoredAction {
  const found = store.actions.get(tenantId, id);
  if (!found)
    throw new ProblemError(
      "not-found",
      `No action with id ${JSON.stringify(id.slice(0, 80))} in this tenant.`,
    );
  return found;
}
