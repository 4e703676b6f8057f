/**
 * One Idempotency-Key per logical POST, reused by every retry of that POST. Always a
 * crypto UUID, even when tests inject `random`: a fixed test random would give every POST the same key.
 */
import { randomUUID } from "node:crypto";

export function newIdempotencyKey(): string {
  return randomUUID();
}
