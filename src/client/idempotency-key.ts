/** One Idempotency-Key per logical POST (SPEC §3), reused by every retry of that POST. */
import { randomUUID } from "node:crypto";

/** A UUID v4; built from `random` when one is injected (deterministic tests), else crypto.randomUUID(). */
export function newIdempotencyKey(random?: () => number): string {
  if (!random) return randomUUID();
  const hex = Array.from({ length: 32 }, () => Math.floor(Math.min(Math.max(random(), 0), 0.999999) * 16));
  hex[12] = 4;
  hex[16] = 8 + ((hex[16] ?? 0) % 4);
  const s = hex.map((d) => d.toString(16)).join("");
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}
