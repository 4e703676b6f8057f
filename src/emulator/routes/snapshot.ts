/**
 * `GET /api/v2/snapshot`: the whole tenant as NDJSON (docs/api.md "Snapshot"), streamed page by page
 * (memory does not grow with the tenant). Each page is read in one transaction and every page must be
 * at the revision of the header line: a write that lands mid-stream ends the stream without its `end`
 * line, which readers treat as a truncated snapshot and read again. So a complete stream is the tenant
 * at one revision. Bodies are what the per-resource GETs answer (secrets without values, masked
 * overrides as "***").
 */
import { Readable } from "node:stream";
import type { FastifyInstance } from "fastify";
import { TENANT_REVISION_HEADER } from "../../domain/tenant-revision.js";
import { servedCapabilities } from "../capabilities.js";
import type { EmulatorContext } from "../context.js";
import { VariableHandlers } from "../handlers/variables.js";
import { etagOf } from "../versioning.js";

export const SNAPSHOT_PATH = "/api/v2/snapshot";
/** Actions read per transaction. */
const PAGE_SIZE = 200;

/** True when an `If-None-Match` value lists this entity tag (or is `*`); weak tags compare weakly (RFC 9110 §13.1.2). */
function noneMatch(header: string | string[] | undefined, etag: string): boolean {
  if (header === undefined) return false;
  return [header]
    .flat()
    .flatMap((h) => h.split(","))
    .map((t) => t.trim().replace(/^W\//, ""))
    .some((t) => t === "*" || t === etag);
}

export function registerSnapshotRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  if (!servedCapabilities(ctx.config).includes("snapshot")) return;
  const variables = new VariableHandlers(ctx);
  const environments = [...ctx.config.environments].sort((a, b) => a.order - b.order);

  async function* lines(tenantId: string, revision: number): AsyncGenerator<string> {
    yield `${JSON.stringify({ kind: "header", revision, environments })}\n`;
    let count = 0;
    for (let offset = 0; ; offset += PAGE_SIZE) {
      const page = ctx.store.transaction(() => {
        const now = ctx.store.revision(tenantId);
        if (now !== revision)
          throw new Error(`tenant ${tenantId} moved from revision ${revision} to ${now} during a snapshot`);
        const { rows } = ctx.store.actions.list(tenantId, { offset, limit: PAGE_SIZE });
        const embedded: Record<string, unknown>[] = rows.map(() => ({}));
        ctx.expand.apply(["variables", "environments"], rows, embedded, { store: ctx.store, tenantId });
        const text = rows.map((row, i) => {
          const set = embedded[i]!.variables as { version: number; variables: unknown[] };
          // The action's doc is inlined as stored (what GET returns) rather than parsed and re-serialised.
          return `{"kind":"action","action":${row.doc},"variables":${JSON.stringify({ version: set.version, variables: set.variables })},"overrides":${JSON.stringify(embedded[i]!.environments)}}\n`;
        });
        const globals =
          rows.length < PAGE_SIZE
            ? `${JSON.stringify({ kind: "globals", variables: variables.getGlobal(tenantId).body })}\n`
            : undefined;
        return { text, globals };
      });
      count += page.text.length;
      if (page.text.length > 0) yield page.text.join("");
      if (page.globals !== undefined) {
        yield page.globals;
        break;
      }
    }
    yield `${JSON.stringify({ kind: "end", actions: count })}\n`;
  }

  app.get(SNAPSHOT_PATH, async (request, reply) => {
    const { tenantId } = ctx.authenticate(request, "dataactions:read");
    const revision = ctx.store.revision(tenantId);
    const etag = etagOf(revision);
    reply.header("etag", etag);
    reply.header(TENANT_REVISION_HEADER, String(revision));
    if (noneMatch(request.headers["if-none-match"], etag)) return reply.code(304).send();
    reply.header("content-type", "application/x-ndjson; charset=utf-8");
    return reply.code(200).send(Readable.from(lines(tenantId, revision), { objectMode: false }));
  });
}
