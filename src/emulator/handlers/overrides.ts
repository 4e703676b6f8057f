/**
 * Environments and per-environment overrides. Writes are validated with the SDK's own
 * validateOverrides (the 50 cap on the resulting set), masked values are sealed with the tenant keyring
 * bound to (action, environment) and read back as "***" with a fingerprint. A write that changes the set
 * of an environment with `buildOnChange` queues a build.
 */
import { MASKED_PLACEHOLDER, type OverrideVariable, validateOverrides } from "../../domain/overrides.js";
import {
  mergePromoted,
  type PromotionRequest,
  selectPromoted,
  validatePromotionRequest,
} from "../../domain/promotion.js";
import { issue } from "../../domain/validation-result.js";
import type { EmulatorConfig } from "../config.js";
import type { EmulatorContext } from "../context.js";
import { KeyringError, overrideScope } from "../crypto/index.js";
import { type ApiResponse, ProblemError, problemFromIssues } from "../problem.js";
import type { BuildResource } from "../store/builds-repository.js";
import type { StoredOverrideItem, StoredOverrideSet } from "../store/overrides-repository.js";
import type { StoredAction } from "../store/store.js";
import { checkVersion, etagOf, type Precondition } from "../versioning.js";
import { requireAction } from "./require-action.js";

/** What GET returns for one override. */
export interface PublicOverride {
  name: string;
  value: string;
  masked: boolean;
  description: string;
  fingerprint: string;
}

/** Queues a build of an action for an environment; supplied by the builds handler. */
export type EnqueueBuild = (
  tenantId: string,
  action: StoredAction,
  environmentId: string,
  trigger: BuildResource["trigger"],
) => BuildResource;

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function publicOverride(item: StoredOverrideItem): PublicOverride {
  return {
    name: item.name,
    value: item.masked ? MASKED_PLACEHOLDER : (item.value ?? ""),
    masked: item.masked,
    description: item.description ?? "",
    fingerprint: item.fingerprint,
  };
}

/** Items that mean the same thing compare equal (a masked value by its fingerprint). */
function sameItems(a: readonly StoredOverrideItem[], b: readonly StoredOverrideItem[]): boolean {
  const key = (items: readonly StoredOverrideItem[]) =>
    JSON.stringify(
      [...items]
        .sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0))
        .map((i) => [i.name, i.masked, i.description ?? "", i.fingerprint]),
    );
  return key(a) === key(b);
}

export class OverrideHandlers {
  constructor(
    private readonly ctx: EmulatorContext,
    private readonly enqueueBuild: EnqueueBuild,
  ) {}

  environments(): ApiResponse {
    const list = [...this.ctx.config.environments].sort((a, b) => a.order - b.order);
    return { status: 200, body: list.map((e) => ({ ...e })) };
  }

  environment(id: string): EmulatorConfig["environments"][number] {
    const found = this.ctx.config.environments.find((e) => e.id === id);
    if (!found)
      throw new ProblemError(
        "not-found",
        `No environment ${JSON.stringify(id.slice(0, 64))}; known environments: ${this.ctx.config.environments.map((e) => e.id).join(", ")}.`,
      );
    return found;
  }

  action(tenantId: string, id: string): StoredAction {
    return requireAction(this.ctx.store, tenantId, id);
  }

  /** The stored set, or the empty set at version 1 that every (action, environment) starts with. */
  current(tenantId: string, actionId: string, environmentId: string): StoredOverrideSet {
    return (
      this.ctx.store.overrides.get(tenantId, actionId, environmentId) ?? {
        tenantId,
        actionId,
        environmentId,
        version: 1,
        modifiedTimestamp: 0,
        items: [],
      }
    );
  }

  get(tenantId: string, actionId: string, environmentId: string): ApiResponse {
    this.environment(environmentId);
    this.action(tenantId, actionId);
    return this.response(this.current(tenantId, actionId, environmentId));
  }

  put(pre: Precondition, tenantId: string, actionId: string, environmentId: string, body: unknown) {
    return this.write(pre, tenantId, actionId, environmentId, body, "replace");
  }

  patch(pre: Precondition, tenantId: string, actionId: string, environmentId: string, body: unknown) {
    return this.write(pre, tenantId, actionId, environmentId, body, "merge");
  }

  private write(
    pre: Precondition,
    tenantId: string,
    actionId: string,
    environmentId: string,
    body: unknown,
    mode: "replace" | "merge",
  ): ApiResponse {
    const env = this.environment(environmentId);
    const action = this.action(tenantId, actionId);
    const current = this.current(tenantId, actionId, environmentId);
    checkVersion(
      pre,
      isObject(body) ? body.version : undefined,
      current.version,
      `the ${environmentId} overrides of ${action.name}`,
    );
    if (action.locked)
      throw new ProblemError(
        "action-locked",
        `Action ${action.name} is locked; unlock it first with PATCH {"locked": false}.`,
      );
    const result = validateOverrides(body, {
      knownEnvironments: this.ctx.config.environments.map((e) => e.id),
      environmentId,
      ...(mode === "merge" ? { existingNames: current.items.map((i) => i.name) } : {}),
    });
    const issues = [...result.issues];
    if (mode === "replace" && isObject(body) && body.remove !== undefined)
      issues.push(
        issue(
          "remove",
          "validation-failed",
          "remove is for PATCH; a PUT replaces the whole set: leave remove out",
        ),
      );
    if (isObject(body) && !Array.isArray(body.variables) && mode === "replace")
      issues.push(
        issue("variables", "validation-failed", "variables is required: the whole set of overrides"),
      );
    if (issues.length > 0) throw problemFromIssues(issues, "The overrides");

    const payload = body as { variables?: OverrideVariable[]; remove?: string[] };
    const written = (payload.variables ?? []).map((v) => this.seal(tenantId, actionId, environmentId, v));
    let items: StoredOverrideItem[];
    if (mode === "replace") items = written;
    else {
      const byName = new Map(current.items.map((i) => [i.name, i]));
      for (const name of payload.remove ?? []) byName.delete(name);
      for (const item of written) byName.set(item.name, item);
      items = [...byName.values()];
    }
    items.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    if (sameItems(items, current.items)) return this.response(current);

    const next: StoredOverrideSet = {
      ...current,
      version: current.version + 1,
      modifiedTimestamp: Math.max(this.ctx.clock(), current.modifiedTimestamp),
      items,
    };
    let build: BuildResource | undefined;
    this.ctx.store.transaction(() => {
      this.ctx.store.overrides.put(next);
      if (env.buildOnChange) build = this.enqueueBuild(tenantId, action, environmentId, "overrides");
    });
    return this.response(next, build);
  }

  /**
   * Copies overrides of `body.fromEnvironmentId` into `environmentId` (upserted by name): plain values as
   * they are, masked ones opened under the source's binding and sealed again under the target's with the
   * active key, so the plaintext never leaves this function. Fingerprints stay the source's.
   */
  promote(
    pre: Precondition,
    tenantId: string,
    actionId: string,
    environmentId: string,
    body: unknown,
  ): ApiResponse {
    const env = this.environment(environmentId);
    const action = this.action(tenantId, actionId);
    const checked = validatePromotionRequest(body, {
      targetEnvironmentId: environmentId,
      knownEnvironments: this.ctx.config.environments.map((e) => e.id),
    });
    if (!checked.ok) {
      const unknown = checked.issues.find((i) => i.code === "not-found");
      if (unknown) throw new ProblemError("not-found", `${unknown.message}.`);
      throw problemFromIssues(checked.issues, "The promotion");
    }
    const { fromEnvironmentId: from, names, version } = body as PromotionRequest;
    const current = this.current(tenantId, actionId, environmentId);
    checkVersion(pre, version, current.version, `the ${environmentId} overrides of ${action.name}`);
    if (action.locked)
      throw new ProblemError(
        "action-locked",
        `Action ${action.name} is locked; unlock it first with PATCH {"locked": false}.`,
      );
    const source = this.current(tenantId, actionId, from);
    const { items: chosen, missing } = selectPromoted(source.items, names);
    if (missing.length > 0)
      throw problemFromIssues(
        missing.map((name) =>
          issue(
            ["names", names!.indexOf(name)],
            "validation-failed",
            `${name} is not an override of ${action.name} in ${from}; promote only names ${from} has (${source.items.map((i) => i.name).join(", ") || "none"})`,
          ),
        ),
        "The promotion",
      );
    const copied = chosen.map((item) => this.copy(tenantId, actionId, from, environmentId, item));
    const merged = mergePromoted(current.items, copied);
    if (merged.issues.length > 0) throw problemFromIssues(merged.issues, "The promotion");
    if (sameItems(merged.items, current.items)) return this.response(current);
    const next: StoredOverrideSet = {
      ...current,
      version: current.version + 1,
      modifiedTimestamp: Math.max(this.ctx.clock(), current.modifiedTimestamp),
      items: merged.items,
    };
    let build: BuildResource | undefined;
    this.ctx.store.transaction(() => {
      this.ctx.store.overrides.put(next);
      if (env.buildOnChange) build = this.enqueueBuild(tenantId, action, environmentId, "overrides");
    });
    return this.response(next, build);
  }

  private copy(
    tenantId: string,
    actionId: string,
    from: string,
    to: string,
    item: StoredOverrideItem,
  ): StoredOverrideItem {
    if (!item.masked || !item.sealed) return { ...item };
    const { sealed: _source, ...rest } = item;
    const binding = { scope: overrideScope(actionId, from), name: item.name };
    try {
      const sealed = this.ctx.keyring.seal(
        tenantId,
        { scope: overrideScope(actionId, to), name: item.name },
        this.ctx.keyring.open(tenantId, binding, item.sealed),
      );
      return { ...rest, sealed };
    } catch (error) {
      if (error instanceof KeyringError)
        throw new ProblemError(
          "secret-unreadable",
          `The masked override '${item.name}' of ${from} cannot be decrypted (${error.code}): ${error.message}; set it again in ${from}, then promote.`,
          { status: 500 },
        );
      throw error;
    }
  }

  private seal(tenantId: string, actionId: string, environmentId: string, v: OverrideVariable) {
    const item: StoredOverrideItem = {
      name: v.name,
      masked: v.masked === true,
      fingerprint: this.ctx.keyring.fingerprint(tenantId, v.value),
    };
    if (typeof v.description === "string" && v.description !== "") item.description = v.description;
    if (!item.masked) {
      item.value = v.value;
      return item;
    }
    try {
      item.sealed = this.ctx.keyring.seal(
        tenantId,
        { scope: overrideScope(actionId, environmentId), name: v.name },
        v.value,
      );
    } catch (error) {
      if (error instanceof KeyringError)
        throw problemFromIssues([issue(`variables.${v.name}.value`, "validation-failed", error.message)]);
      throw error;
    }
    return item;
  }

  private response(set: StoredOverrideSet, build?: BuildResource): ApiResponse {
    return {
      status: 200,
      headers: { etag: etagOf(set.version) },
      body: {
        actionId: set.actionId,
        environmentId: set.environmentId,
        version: set.version,
        variables: set.items.map(publicOverride),
        ...(build ? { build: { id: build.id, status: build.status } } : {}),
      },
    };
  }
}
