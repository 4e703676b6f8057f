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
 * Runs `hook(request, reply, done)` (the server's onRequest checks), in `request`'s context when it may
 * write, so that later hooks and the handler run in it too; answers what `hook` answers.
 */
export function enterRequestContext<R>(
  request: FastifyRequest,
  reply: FastifyReply,
  hook: (request: FastifyRequest, reply: FastifyReply, done: () => void) => R,
  done: () => void,
): R {
  if (READS.has(request.method)) return hook(request, reply, done);
  inFlight += 1;
  reply.raw.once("close", leave);
  return storage.run(request, hook, request, reply, done);
}

/** The client id of the current request's token, or null outside a request or before authentication. */
export function currentClientId(): string | null {
  const request = storage.getStore();
  return request?.emu?.principal?.clientId ?? null;
}
