import { ServerError } from "../../errors.js";

/**
 * The sandbox cannot take a run now: its queue is full, it is closed, or its workers cannot start.
 * A route answers 503 `service-unavailable` with `Retry-After: retryAfterSeconds`.
 */
export class SandboxUnavailableError extends ServerError {
  readonly retryAfterSeconds: number;
  readonly reason: "queue-full" | "closed" | "cannot-start";

  constructor(message: string, reason: SandboxUnavailableError["reason"], retryAfterSeconds = 1) {
    super(message, { status: 503, slug: "service-unavailable" });
    this.reason = reason;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}
