/**
 * The request a piece of code runs for, through AsyncLocalStorage: the store records the client of each
 * write in deployments and action revisions without every handler passing it along.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { FastifyRequest } from "fastify";

const storage = new AsyncLocalStorage<FastifyRequest>();

/** Runs `next` (fastify's `done`) with `request` as the async context. */
export function enterRequestContext(request: FastifyRequest, next: () => void): void {
  storage.run(request, next);
}

/** The client id of the current request's token, or null outside a request or before authentication. */
export function currentClientId(): string | null {
  const request = storage.getStore();
  return request?.emu?.principal?.clientId ?? null;
}
