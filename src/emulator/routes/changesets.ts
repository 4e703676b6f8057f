/**
 * `POST /api/v2/changesets` (one request, or a staged changeset: open, batches, commit). Wiring, the
 * request's limits and the staged lifecycle; the operations are applied by handlers/changesets.ts.
 */
import { createHash, randomUUID } from "node:crypto";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { issue } from "../../domain/validation-result.js";
import { servedCapabilities } from "../capabilities.js";
import type { EmulatorContext } from "../context.js";
import type { BuildRunner } from "../handlers/builds.js";
import {
  CHANGESETS_PATH,
  ChangesetEngine,
  type CommitOutcome,
  MAX_CHANGESET_BYTES,
  MAX_OPERATIONS,
  OPERATION_KINDS,
  type Operation,
  parseOperations,
  scopesOf,
} from "../handlers/changesets.js";
import { idempotencyKeyOf } from "../idempotency.js";
import { type ApiResponse, ProblemError, problemFromIssues } from "../problem.js";
import { jsonBody, send } from "../reply.js";
import type { StagedChangeset } from "../store/history-repository.js";

/** An open staged changeset expires this long after it was opened. */
export const CHANGESET_TTL_MS = 60 * 60 * 1000;
/** Expired open changesets are forgotten (then 404) this long after they expired. */
const EXPIRED_KEPT_MS = 24 * 60 * 60 * 1000;
/** At most this many operations in all of a staged changeset's batches. */
export const MAX_STAGED_OPERATIONS = 100_000;

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function tooMany(count: number, limit: number, what: string): ProblemError {
  return new ProblemError(
    "changeset-too-large",
    `${what} has ${count} operations; at most ${limit} are accepted in one request. Split it: open a staged changeset ({"staged": true}), append batches of at most ${MAX_OPERATIONS} operations, then commit.`,
  );
}

function unknownFields(body: Json, allowed: readonly string[]) {
  return Object.keys(body)
    .filter((k) => !allowed.includes(k))
    .map((k) =>
      issue(
        k.slice(0, 40),
        "validation-failed",
        `unknown field '${k.slice(0, 40)}'; this body takes ${allowed.join(", ")}`,
      ),
    );
}

function optionalBaseRevision(body: Json): number | undefined {
  const value = body.baseRevision;
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0)
    throw problemFromIssues(
      [
        issue(
          "baseRevision",
          "validation-failed",
          "baseRevision must be a whole number ≥ 0: the X-Tenant-Revision your plan was read at",
        ),
      ],
      "The changeset",
    );
  return value;
}

function optionalDescription(body: Json): string | undefined {
  const value = body.description;
  if (value === undefined) return undefined;
  if (typeof value !== "string" || value.length > 1024)
    throw problemFromIssues(
      [issue("description", "validation-failed", "description must be text of at most 1024 characters")],
      "The changeset",
    );
  return value;
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (isObject(value))
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`)
      .join(",")}}`;
  return JSON.stringify(value) ?? "null";
}

function changesetResponse(c: StagedChangeset, status = 200): ApiResponse {
  return {
    status,
    body: {
      id: c.id,
      status: c.status,
      expiresTimestamp: c.expiresTimestamp,
      ...(c.baseRevision === null ? {} : { baseRevision: c.baseRevision }),
      description: c.description,
    },
  };
}

export function registerChangesetRoutes(
  app: FastifyInstance,
  ctx: EmulatorContext,
  builds: BuildRunner,
): void {
  if (!servedCapabilities(ctx.config).includes("changesets")) return;
  const engine = new ChangesetEngine(ctx);
  const history = ctx.store.history;

  /** Authenticates for every scope the operations need (write at least). */
  const authenticateFor = (request: FastifyRequest, operations: unknown) => {
    const known = Array.isArray(operations)
      ? operations.filter(
          (o): o is Operation =>
            isObject(o) && (OPERATION_KINDS as readonly string[]).includes(o.op as string),
        )
      : [];
    const scopes = scopesOf(known);
    let principal = ctx.authenticate(request, "dataactions:write");
    for (const scope of scopes) principal = ctx.authenticate(request, scope);
    return principal;
  };

  const requireKey = (request: FastifyRequest) => {
    if (idempotencyKeyOf(request) === undefined)
      throw new ProblemError(
        "validation-failed",
        "A changeset needs an Idempotency-Key header (a new UUID per changeset), so a retry after a lost answer replays the commit instead of applying it twice.",
        {
          issues: [
            issue("Idempotency-Key", "validation-failed", "Idempotency-Key is required on this request"),
          ],
        },
      );
  };

  const queueBuilds = (tenantId: string, outcome: CommitOutcome | undefined) => {
    for (const { actionId, environmentId } of outcome?.builds ?? []) {
      const action = ctx.store.actions.get(tenantId, actionId);
      if (action) builds.enqueue(tenantId, action, environmentId, "overrides");
    }
  };

  const stagedChangeset = (tenantId: string, id: string): StagedChangeset => {
    const found = history.getChangeset(tenantId, id);
    if (!found)
      throw new ProblemError(
        "not-found",
        `No changeset ${JSON.stringify(id.slice(0, 80))} in this tenant (an expired one is forgotten after a day); open a new one with POST ${CHANGESETS_PATH} {"staged": true}.`,
      );
    return found;
  };

  const requireOpen = (c: StagedChangeset, what: string) => {
    if (c.status === "COMMITTED")
      throw new ProblemError(
        "changeset-committed",
        `Changeset ${c.id} is committed already and takes no more batches; open a new changeset for further changes.`,
      );
    if (ctx.clock() > c.expiresTimestamp)
      throw new ProblemError(
        "changeset-expired",
        `Changeset ${c.id} expired at ${new Date(c.expiresTimestamp).toISOString()} (an open changeset lives 1 hour), so it cannot ${what}; nothing of it was applied: open a new one and send its batches again.`,
      );
  };

  app.post(CHANGESETS_PATH, { bodyLimit: MAX_CHANGESET_BYTES }, async (request, reply) => {
    const body = jsonBody(request);
    const operations = isObject(body) ? body.operations : undefined;
    const { tenantId } = authenticateFor(request, operations);
    if (!isObject(body))
      throw problemFromIssues(
        [
          issue(
            "",
            "validation-failed",
            "the body must be a JSON object {operations, baseRevision?, description?} or {staged: true, baseRevision?, description?}",
          ),
        ],
        "The changeset",
      );
    requireKey(request);
    if (body.staged !== undefined && body.staged !== false) {
      const issues = unknownFields(body, ["staged", "baseRevision", "description"]);
      if (body.staged !== true)
        issues.push(issue("staged", "validation-failed", "staged must be true (or left out)"));
      if (issues.length > 0) throw problemFromIssues(issues, "The changeset");
      const baseRevision = optionalBaseRevision(body);
      const description = optionalDescription(body);
      return send(
        reply,
        await ctx.idempotency.run(request, tenantId, body, () => {
          const now = ctx.clock();
          history.purgeExpiredChangesets(now - EXPIRED_KEPT_MS);
          const changeset: StagedChangeset = {
            tenantId,
            id: randomUUID(),
            status: "OPEN",
            baseRevision: baseRevision ?? null,
            description: description ?? "",
            clientId: request.emu.principal?.clientId ?? null,
            createdTimestamp: now,
            expiresTimestamp: now + CHANGESET_TTL_MS,
            result: null,
          };
          history.putChangeset(changeset);
          return changesetResponse(changeset, 201);
        }),
      );
    }
    const issues = unknownFields(body, ["operations", "baseRevision", "description", "staged"]);
    if (issues.length > 0) throw problemFromIssues(issues, "The changeset");
    if (Array.isArray(operations) && operations.length > MAX_OPERATIONS)
      throw tooMany(operations.length, MAX_OPERATIONS, "The changeset");
    const parsed = parseOperations(operations);
    const baseRevision = optionalBaseRevision(body);
    const description = optionalDescription(body);
    let outcome: CommitOutcome | undefined;
    const response = await ctx.idempotency.run(request, tenantId, body, () => {
      outcome = engine.commit({ tenantId, operations: parsed, baseRevision, description });
      return { status: 201, body: outcome.body };
    });
    if (response.status === 201) queueBuilds(tenantId, outcome);
    return send(reply, response);
  });

  app.post<{ Params: { id: string } }>(
    `${CHANGESETS_PATH}/:id/batches`,
    { bodyLimit: MAX_CHANGESET_BYTES },
    async (request, reply) => {
      const body = jsonBody(request);
      const operations = isObject(body) ? body.operations : undefined;
      const { tenantId } = authenticateFor(request, operations);
      if (!isObject(body))
        throw problemFromIssues(
          [issue("", "validation-failed", "the body must be a JSON object {sequence, operations}")],
          "The batch",
        );
      const issues = unknownFields(body, ["sequence", "operations"]);
      const sequence = body.sequence;
      if (typeof sequence !== "number" || !Number.isSafeInteger(sequence) || sequence < 0)
        issues.push(
          issue(
            "sequence",
            "validation-failed",
            "sequence must be a whole number ≥ 0: the batch's place in the changeset (0, 1, 2, …)",
          ),
        );
      if (issues.length > 0) throw problemFromIssues(issues, "The batch");
      const seq = sequence as number;
      if (Array.isArray(operations) && operations.length > MAX_OPERATIONS)
        throw tooMany(operations.length, MAX_OPERATIONS, `Batch ${seq}`);
      const changeset = stagedChangeset(tenantId, request.params.id);
      const fingerprint = createHash("sha256").update(canonical(operations)).digest("hex");
      const answer = (count: number, status: number): ApiResponse => ({
        status,
        body: { changesetId: changeset.id, sequence: seq, operations: count, status: "OPEN" },
      });
      const existing = history.getBatch(tenantId, changeset.id, seq);
      if (existing && changeset.status === "OPEN") {
        if (existing.fingerprint !== fingerprint)
          throw new ProblemError(
            "batch-sequence-reuse",
            `Batch ${seq} of changeset ${changeset.id} was appended already with other operations; a sequence number stands for one batch: resend the same operations, or use the next free sequence.`,
          );
        requireOpen(changeset, "take batches");
        reply.header("idempotent-replayed", "true");
        return send(reply, answer((JSON.parse(existing.operations) as unknown[]).length, 200));
      }
      requireOpen(changeset, "take batches");
      const parsed = parseOperations(operations);
      const total = history
        .listBatches(tenantId, changeset.id)
        .reduce((n, b) => n + (JSON.parse(b.operations) as unknown[]).length, 0);
      if (total + parsed.length > MAX_STAGED_OPERATIONS)
        throw tooMany(total + parsed.length, MAX_STAGED_OPERATIONS, `Changeset ${changeset.id}`);
      history.putBatch(tenantId, changeset.id, {
        sequence: seq,
        fingerprint,
        operations: JSON.stringify(parsed),
      });
      return send(reply, answer(parsed.length, 201));
    },
  );

  app.post<{ Params: { id: string } }>(`${CHANGESETS_PATH}/:id/commit`, async (request, reply) => {
    const principal = ctx.authenticate(request, "dataactions:write");
    const tenantId = principal.tenantId;
    const changeset = stagedChangeset(tenantId, request.params.id);
    if (changeset.status === "COMMITTED" && changeset.result !== null) {
      request.emu.replayed = true;
      return send(reply, {
        status: 201,
        headers: { "idempotent-replayed": "true" },
        rawJson: changeset.result,
      });
    }
    requireOpen(changeset, "be committed");
    const batches = history.listBatches(tenantId, changeset.id);
    if (batches.length === 0)
      throw new ProblemError(
        "validation-failed",
        `Changeset ${changeset.id} has no batches; append at least one (POST ${CHANGESETS_PATH}/${changeset.id}/batches {sequence, operations}), then commit.`,
        { issues: [issue("batches", "validation-failed", "the changeset has no batches")] },
      );
    const operations: Operation[] = [];
    const origin: string[] = [];
    for (const batch of batches) {
      const list = JSON.parse(batch.operations) as Operation[];
      list.forEach((op, j) => {
        operations.push(op);
        origin.push(`operations[${operations.length - 1}] (batch ${batch.sequence}, operations[${j}])`);
      });
    }
    for (const scope of scopesOf(operations)) ctx.authenticate(request, scope);
    let outcome: CommitOutcome | undefined;
    const response = await ctx.idempotency.run(request, tenantId, request.body ?? {}, () => {
      outcome = engine.commit({
        tenantId,
        operations,
        id: changeset.id,
        baseRevision: changeset.baseRevision ?? undefined,
        description: changeset.description,
        label: (i) => origin[i] ?? `operations[${i}]`,
      });
      history.putChangeset({ ...changeset, status: "COMMITTED", result: JSON.stringify(outcome.body) });
      return { status: 201, body: outcome.body };
    });
    if (response.status === 201) queueBuilds(tenantId, outcome);
    return send(reply, response);
  });
}
