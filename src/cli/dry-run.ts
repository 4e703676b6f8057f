/**
 * `--dry-run`: the client is built with a `beforeSend` that stops the first write (any method but GET
 * or HEAD) before it leaves; reads still go out, since the request may depend on them (a version, the
 * current headers). The command then prints the stopped request, secrets masked, and exits 0.
 */
import type { OutgoingRequest } from "../client/types.js";
import type { CommandContext } from "./context.js";

/** Thrown by `beforeSend` in place of sending a write; carries the request that would have gone. */
export class DryRunStop extends Error {
  constructor(readonly request: OutgoingRequest) {
    super(`dry run: ${request.method} ${request.path} was not sent`);
    this.name = "DryRunStop";
  }
}

export function stopWrites(request: OutgoingRequest): void {
  if (request.method !== "GET" && request.method !== "HEAD") throw new DryRunStop(request);
}

/** Prints the request that was not sent; the command exits 0. */
export function reportDryRun(ctx: CommandContext, stop: DryRunStop): number {
  const { method, path, headers, body } = stop.request;
  const shown: Record<string, string> = {};
  for (const name of ["if-match", "content-type"])
    if (headers[name] !== undefined) shown[name] = headers[name];
  const request = {
    method,
    path,
    ...(Object.keys(shown).length > 0 ? { headers: shown } : {}),
    ...(body === undefined ? {} : { body: ctx.redactor.redact(body) }),
  };
  if (ctx.out.json) {
    ctx.out.result({ dryRun: true, sent: false, request });
    return 0;
  }
  ctx.out.line(`${ctx.out.colors.yellow("dry run:")} nothing was sent; the request would be:`);
  ctx.out.line(`${method} ${path}`);
  for (const [name, value] of Object.entries(shown)) ctx.out.line(`${name}: ${value}`);
  if (request.body !== undefined) ctx.out.line(JSON.stringify(request.body, null, 2));
  return 0;
}
