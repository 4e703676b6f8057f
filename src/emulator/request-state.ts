/** Per-request state the hooks and handlers share, attached to every fastify request as `emu`. */
import type { Principal } from "./auth/token-service.js";
import type { FaultEffect } from "./faults.js";
import type { RateDecision } from "./rate-limiter.js";

export interface RequestState {
  requestId: string;
  path: string;
  fault?: FaultEffect;
  /** Delay still owed by an injected `delay` fault (consumed by whoever applies it). */
  pendingDelayMs: number;
  /** The bearer token's principal, resolved once per request (null = none or invalid). */
  principal?: Principal | null;
  /** The client the request acted as, for the request log. */
  clientId?: string;
  /** The tenant of that client (token requests), for the access log. */
  tenantId?: string;
  /** performance.now() when the first hook saw the request, for the access log's duration. */
  startedAt: number;
  rate?: RateDecision;
  idempotencyKey?: string;
  replayed?: boolean;
  logged?: boolean;
}

declare module "fastify" {
  interface FastifyRequest {
    emu: RequestState;
  }
}
