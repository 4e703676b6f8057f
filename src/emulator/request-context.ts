/**
 * The request a piece of code runs for, through AsyncLocalStorage: the store records the client of each
 * write in deployments and action revisions without every handler passing it along.
 *
 * Only a request that may write (not GET, HEAD or OPTIONS) enters the context, and while no such request
 * is in flight the storage is switched off: an enabled AsyncLocalStorage runs an async hook for every
 * promise in the process, about 11 % of the CPU of a GET by id (bench B4, 12 interleaved pairs).
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { FastifyReply, FastifyRequest } from "fastify";

const storage = new AsyncLocalStorage<FastifyRequest>();
const READS = new Set(["GET", "HEAD", "OPTIONS"]);
/** Requests in the context whose response has not closed yet (every emulator of the process). */
let inFlight = 0;

function leave(): void {
  inFlight -= 1;
  if (inFlight === 0) storage.disable();
}

/**
 * Runs `next` (fastify's `done`), in `request`'s context when it may write. A hook of its own, the first:
 * fastify calls the next hook from `next`, so later hooks and the handler run in the context even when a
 * hook answers with a promise (a promise's continuation would run in the context of whoever awaits it,
 * fastify, outside this one; the shared rate limiter on PostgreSQL answers with one).
 */
export function enterRequestContext(request: FastifyRequest, reply: FastifyReply, next: () => void): void {
  if (READS.has(request.method)) {
    next();
    return;
  }
  inFlight += 1;
  reply.raw.once("close", leave);
  storage.run(request, next);
}

/** The client id of the current request's token, or null outside a request or before authentication. */
export function currentClientId(): string | null {
  const request = storage.getStore();
  return request?.emu?.principal?.clientId ?? null;
}
