/** R8: `cxda apply` killed at a random point, then resumed — converges, no changes left, 0 duplicates. */
import type { ChaosRun, Figure } from "./harness.js";
import { pending } from "./harness.js";
import type { ChaosSize } from "./sizes.js";

export async function runR8(_run: ChaosRun, _size: ChaosSize): Promise<Figure[]> {
  return [pending("R8", "`cxda apply` has not landed yet")];
}
