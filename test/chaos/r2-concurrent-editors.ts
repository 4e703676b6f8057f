/** R2: concurrent editors × header edits on one action — all headers present, 0 lost updates. */
import type { ChaosRun, Figure } from "./harness.js";
import { pending } from "./harness.js";
import type { ChaosSize } from "./sizes.js";

export async function runR2(_run: ChaosRun, _size: ChaosSize): Promise<Figure[]> {
  return [pending("R2", "the setHeaders workflow has not landed yet")];
}
