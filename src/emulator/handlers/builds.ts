/**
 * Builds: a POST stores a QUEUED build and answers 202; the build then runs asynchronously in
 * small steps on the event loop (QUEUED → RUNNING → SUCCEEDED|FAILED). It checks that the action is valid
 * for the environment — the script compiles, its dependencies exist, every effective variable resolves
 * (each secret opens with the keyring) — and records a snapshot with a SHA-256 content hash. Only names and
 * fingerprints enter the snapshot, never a value. Closing the emulator cancels pending steps; builds left
 * unfinished in a data directory resume when it starts again.
 *
 * With replicas on one database, a build belongs to the replica that moved it last: each step re-reads
 * the build in a transaction and goes on only from the state it expects (QUEUED, or RUNNING since the
 * moment it started it). A build that no replica moved for ABANDONED_AFTER_MS (its replica died, or
 * stopped) is taken over by whichever replica looks first: at start, then every SWEEP_INTERVAL_MS.
 */
import { createHash, randomUUID } from "node:crypto";
import { validateActionPayload } from "../../domain/action-rules.js";
import { type Action, editableFieldsOf } from "../../domain/action-schema.js";
import { issue } from "../../domain/validation-result.js";
import type { EmulatorContext } from "../context.js";
import { type ApiResponse, ProblemError, problemFromIssues } from "../problem.js";
import type { BuildError, BuildResource, BuildSnapshot } from "../store/builds-repository.js";
import type { StoredAction } from "../store/store.js";
import { resolveEffectiveEntries, VariableDecryptionError } from "./effective-variables.js";
import { parseListQuery } from "./list-query.js";
import { requireAction } from "./require-action.js";

/** A build queued or started this long ago and not finished is taken to be abandoned by its replica. */
export const ABANDONED_AFTER_MS = 10_000;
/** How often a replica looks for abandoned builds. */
const SWEEP_INTERVAL_MS = 5_000;

export class BuildRunner {
  private readonly pending = new Set<NodeJS.Immediate>();
  private closed = false;
  private sweep: NodeJS.Timeout | undefined;

  /** `shared`: other replicas run builds from the same database. */
  constructor(
    private readonly ctx: EmulatorContext,
    private readonly shared = false,
  ) {}

  /** Stores a QUEUED build and schedules it; call inside the write's transaction. */
  enqueue(
    tenantId: string,
    action: StoredAction,
    environmentId: string,
    trigger: BuildResource["trigger"],
  ): BuildResource {
    const build: BuildResource = {
      id: randomUUID(),
      actionId: action.id,
      environmentId,
      status: "QUEUED",
      trigger,
      createdTimestamp: this.ctx.clock(),
    };
    this.ctx.store.builds.put(tenantId, build);
    this.schedule(() => this.start(tenantId, build.actionId, build.id, false));
    return build;
  }

  /** POST …/builds {environmentId} (admin) → 202 with the queued build. */
  create(tenantId: string, actionId: string, body: unknown): ApiResponse {
    const environmentId =
      typeof body === "object" && body !== null && !Array.isArray(body)
        ? (body as Record<string, unknown>).environmentId
        : undefined;
    if (typeof environmentId !== "string" || environmentId === "")
      throw problemFromIssues([
        issue(
          "environmentId",
          "validation-failed",
          `environmentId is required: one of ${this.environmentIds().join(", ")}`,
        ),
      ]);
    if (!this.environmentIds().includes(environmentId))
      throw new ProblemError(
        "not-found",
        `No environment ${JSON.stringify(environmentId.slice(0, 64))}; known environments: ${this.environmentIds().join(", ")}.`,
      );
    const action = requireAction(this.ctx.store, tenantId, actionId);
    const build = this.enqueue(tenantId, action, environmentId, "manual");
    return {
      status: 202,
      headers: { location: `/api/v2/dataactions/${action.id}/builds/${build.id}` },
      body: { id: build.id, actionId: build.actionId, environmentId, status: build.status },
    };
  }

  get(tenantId: string, actionId: string, buildId: string): ApiResponse {
    const build = this.ctx.store.builds.get(tenantId, actionId, buildId);
    if (!build)
      throw new ProblemError(
        "not-found",
        `No build ${JSON.stringify(buildId.slice(0, 80))} of action ${JSON.stringify(actionId.slice(0, 80))} in this tenant.`,
      );
    return { status: 200, body: build };
  }

  /** GET …/builds?environmentId=&page=&pageSize= → the action's builds, newest first. */
  list(tenantId: string, actionId: string, query: unknown): ApiResponse {
    const { page, pageSize } = parseListQuery(query);
    const raw = (query ?? {}) as Record<string, unknown>;
    const environmentId = raw.environmentId;
    if (environmentId !== undefined && (typeof environmentId !== "string" || environmentId === ""))
      throw problemFromIssues([
        issue(
          "environmentId",
          "validation-failed",
          `environmentId: give one environment id, one of ${this.environmentIds().join(", ")}`,
        ),
      ]);
    if (environmentId !== undefined && !this.environmentIds().includes(environmentId))
      throw new ProblemError(
        "not-found",
        `No environment ${JSON.stringify(environmentId.slice(0, 64))}; known environments: ${this.environmentIds().join(", ")}.`,
      );
    const action = requireAction(this.ctx.store, tenantId, actionId);
    const { rows, total } = this.ctx.store.builds.list(tenantId, action.id, {
      ...(environmentId === undefined ? {} : { environmentId }),
      offset: (page - 1) * pageSize,
      limit: pageSize,
    });
    return { status: 200, body: { entities: rows, page, pageSize, total } };
  }

  /**
   * Reschedules the builds a previous run of the emulator left QUEUED or RUNNING; with replicas, only
   * those abandoned, and again every SWEEP_INTERVAL_MS.
   */
  resumeUnfinished(): void {
    const now = this.ctx.clock();
    for (const { tenantId, build } of this.ctx.store.builds.unfinished())
      if (!this.shared || isAbandoned(build, now))
        this.schedule(() => this.start(tenantId, build.actionId, build.id, true));
    if (this.shared && this.sweep === undefined && !this.closed) {
      this.sweep = setInterval(() => {
        try {
          this.resumeUnfinished();
        } catch {
          // The database is away: the next sweep looks again.
        }
      }, SWEEP_INTERVAL_MS);
      this.sweep.unref();
    }
  }

  /** Cancels every pending step; their builds stay as stored. */
  close(): void {
    this.closed = true;
    clearInterval(this.sweep);
    for (const handle of this.pending) clearImmediate(handle);
    this.pending.clear();
  }

  private environmentIds(): string[] {
    return this.ctx.config.environments.map((e) => e.id);
  }

  private schedule(step: () => void): void {
    if (this.closed) return;
    const handle = setImmediate(() => {
      this.pending.delete(handle);
      if (!this.closed) step();
    });
    this.pending.add(handle);
  }

  /** QUEUED → RUNNING, claimed in a transaction; `takeOver` also claims a RUNNING build left abandoned. */
  private start(tenantId: string, actionId: string, buildId: string, takeOver: boolean): void {
    const startedTimestamp = this.ctx.store.transaction(() => {
      const build = this.ctx.store.builds.get(tenantId, actionId, buildId);
      if (!build) return undefined;
      const now = this.ctx.clock();
      if (!this.claimable(build, now, takeOver)) return undefined;
      // Never the same instant as the claim it replaces: the finish step checks it.
      const started = Math.max(now, (build.startedTimestamp ?? 0) + 1);
      this.ctx.store.builds.put(tenantId, { ...build, status: "RUNNING", startedTimestamp: started });
      return started;
    });
    if (startedTimestamp !== undefined)
      this.schedule(() => this.finish(tenantId, actionId, buildId, startedTimestamp));
  }

  /**
   * Whether this replica may claim the build now. A build just queued here is always claimed. On
   * resuming (`takeOver`), a single process claims anything its last run left unfinished; with
   * replicas, another replica may still be moving it, so only a build abandoned for
   * ABANDONED_AFTER_MS is taken over.
   */
  private claimable(build: BuildResource, now: number, takeOver: boolean): boolean {
    const unfinished = build.status === "QUEUED" || build.status === "RUNNING";
    if (!takeOver) return build.status === "QUEUED";
    if (this.shared) return unfinished && isAbandoned(build, now);
    return unfinished;
  }

  private finish(tenantId: string, actionId: string, buildId: string, startedTimestamp: number): void {
    this.ctx.store.transaction(() => this.finishClaimed(tenantId, actionId, buildId, startedTimestamp));
  }

  /** RUNNING → SUCCEEDED or FAILED, unless another replica took the build over meanwhile. */
  private finishClaimed(tenantId: string, actionId: string, buildId: string, startedTimestamp: number): void {
    const build = this.ctx.store.builds.get(tenantId, actionId, buildId);
    if (build?.status !== "RUNNING" || build.startedTimestamp !== startedTimestamp) return;
    let outcome: { errors: BuildError[]; snapshot?: BuildSnapshot };
    try {
      outcome = this.check(tenantId, build);
    } catch (error) {
      outcome = {
        errors: [
          {
            code: "internal-error",
            message: `The build stopped on an emulator error: ${error instanceof Error ? error.message : String(error)}`,
          },
        ],
      };
    }
    const { snapshot: _previous, errors: _errors, ...rest } = build;
    this.ctx.store.builds.put(tenantId, {
      ...rest,
      status: outcome.errors.length === 0 ? "SUCCEEDED" : "FAILED",
      finishedTimestamp: this.ctx.clock(),
      ...(outcome.errors.length > 0 ? { errors: outcome.errors } : {}),
      ...(outcome.snapshot && outcome.errors.length === 0 ? { snapshot: outcome.snapshot } : {}),
    });
  }

  /** The build checks, all of them, so a failed build lists every problem. */
  private check(tenantId: string, build: BuildResource): { errors: BuildError[]; snapshot?: BuildSnapshot } {
    const stored = this.ctx.store.actions.get(tenantId, build.actionId);
    if (!stored)
      return {
        errors: [
          {
            code: "not-found",
            message: `The action ${build.actionId} was deleted before its build ran; nothing to build.`,
          },
        ],
      };
    const action = JSON.parse(stored.doc) as Action;
    const errors: BuildError[] = [];
    for (const found of validateActionPayload(editableFieldsOf(action)).issues)
      errors.push({ code: found.code, message: found.message, path: found.path });
    const graph = this.ctx.store.actions.graph(tenantId);
    for (const [i, dep] of (action.dependencies ?? []).entries())
      if (!Object.hasOwn(graph, dep))
        errors.push({
          code: "unknown-dependency",
          path: `dependencies[${i}]`,
          message: `dependencies[${i}]: the action ${JSON.stringify(dep)} no longer exists in this tenant; create it again or remove the dependency`,
        });

    const variables: BuildSnapshot["variables"] = [];
    try {
      const entries = resolveEffectiveEntries(this.ctx, tenantId, action.id, build.environmentId);
      for (const entry of [...entries.values()].sort((a, b) => (a.name < b.name ? -1 : 1))) {
        const text = typeof entry.value === "string" ? entry.value : JSON.stringify(entry.value);
        variables.push({
          name: entry.name,
          source: entry.source,
          masked: entry.secret,
          fingerprint: this.ctx.keyring.fingerprint(tenantId, text),
        });
      }
    } catch (error) {
      if (!(error instanceof VariableDecryptionError)) throw error;
      errors.push({
        code: "variable-unreadable",
        path: `variables.${error.variable}`,
        message: `The ${error.source} variable '${error.variable}' cannot be decrypted (${error.code}): its stored ciphertext was altered or its key is lost; set it again, then rebuild`,
      });
    }
    if (errors.length > 0) return { errors };

    const overridesVersion =
      this.ctx.store.overrides.get(tenantId, action.id, build.environmentId)?.version ?? 1;
    const { createdTimestamp: _c, modifiedTimestamp: _m, ...content } = action;
    const contentHash = `sha256:${createHash("sha256")
      .update(canonical({ action: content, environmentId: build.environmentId, variables }))
      .digest("hex")}`;
    return {
      errors,
      snapshot: {
        actionVersion: action.version,
        actionName: action.name,
        overridesVersion,
        variables,
        contentHash,
      },
    };
  }
}

/** JSON with sorted keys, so the hash does not depend on key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object")
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  return JSON.stringify(value) ?? "null";
}

/** Not moved by its replica for ABANDONED_AFTER_MS: queued, or started, that long ago. */
function isAbandoned(build: BuildResource, now: number): boolean {
  return now - (build.startedTimestamp ?? build.createdTimestamp) >= ABANDONED_AFTER_MS;
}
