/**
 * A replica's id: given (`--replica-id`, `replicaId`) or made at start (`r-` and 8 hex characters).
 * It is shown on `GET /healthz` and on every test-hook response (`X-Cxda-Replica`), since faults and
 * the request log belong to one replica, and it tags the replica's cache invalidations.
 */
import { randomBytes } from "node:crypto";
import { ValidationError } from "../../errors.js";

export const REPLICA_HEADER = "x-cxda-replica";
const REPLICA_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

export function resolveReplicaId(given: string | undefined): string {
  if (given === undefined) return `r-${randomBytes(4).toString("hex")}`;
  if (!REPLICA_ID.test(given))
    throw new ValidationError(
      `a replica id is 1 to 63 letters, digits, '.', '_' or '-', starting with a letter or digit; got ${JSON.stringify(given.slice(0, 80))}.`,
      { slug: "validation-failed" },
    );
  return given;
}
