/**
 * The variables a test run (and a build) sees (SPEC §6.3): override(A,E) ▸ action variable ▸ global
 * variable, secrets decrypted, typed values converted (integer → number, boolean → boolean, object →
 * parsed). Only the sandbox may receive the result: it holds plaintext secrets.
 *
 * Seam for the override layer: write a `VariableLayer` (e.g. in handlers/overrides.ts) and append it to
 * `VARIABLE_LAYERS` below; layers run lowest precedence first and later layers win by name.
 */
import type { VariableType } from "../../domain/variables.js";
import type { EmulatorContext } from "../context.js";
import { actionScope, GLOBAL_SCOPE, KeyringError } from "../crypto/index.js";
import type { StoredVariableItem } from "../store/variables-repository.js";
import { overrideLayer } from "./overrides.js";

export type EffectiveContext = Pick<EmulatorContext, "store" | "keyring">;

export type VariableSource = "global" | "action" | "override";

export interface EffectiveEntry {
  name: string;
  /** Decrypted and typed. */
  value: unknown;
  source: VariableSource;
  /** True for an encrypted variable or a masked override: never show `value` outside the sandbox. */
  secret: boolean;
}

export type VariableLayer = (
  ctx: EffectiveContext,
  tenantId: string,
  actionId: string,
  environmentId: string | undefined,
) => EffectiveEntry[];

/** A stored secret that cannot be decrypted (altered ciphertext, lost key); never carries plaintext. */
export class VariableDecryptionError extends Error {
  readonly variable: string;
  readonly source: VariableSource;
  readonly code: string;

  constructor(variable: string, source: VariableSource, cause: KeyringError) {
    super(
      `The ${source} variable '${variable}' cannot be decrypted (${cause.code}): ${cause.message}. ` +
        "Set it again with PUT (cxda vars set); the test run was not started with its value.",
    );
    this.name = "VariableDecryptionError";
    this.variable = variable;
    this.source = source;
    this.code = cause.code;
  }
}

/** The typed value of a validated stored string (SPEC §5: values are strings checked against `type`). */
export function typedValue(type: VariableType, text: string): unknown {
  switch (type) {
    case "integer":
      return Number(text);
    case "boolean":
      return text === "true";
    case "object":
      return JSON.parse(text) as unknown;
    default:
      return text;
  }
}

/** Decrypts (when needed) and types stored items; throws VariableDecryptionError for a bad ciphertext. */
export function openItems(
  ctx: EffectiveContext,
  tenantId: string,
  scope: string,
  source: VariableSource,
  items: StoredVariableItem[],
): EffectiveEntry[] {
  return items.map((item) => {
    let text = item.value ?? "";
    if (item.encrypted) {
      try {
        text = ctx.keyring.open(
          tenantId,
          { scope, name: item.name },
          { ciphertext: item.ciphertext ?? "", keyId: item.keyId ?? "" },
        );
      } catch (error) {
        if (error instanceof KeyringError) throw new VariableDecryptionError(item.name, source, error);
        throw error;
      }
    }
    return { name: item.name, value: typedValue(item.type, text), source, secret: item.encrypted };
  });
}

export const globalLayer: VariableLayer = (ctx, tenantId) =>
  openItems(ctx, tenantId, GLOBAL_SCOPE, "global", ctx.store.variables.getGlobalSet(tenantId)?.items ?? []);

export const actionLayer: VariableLayer = (ctx, tenantId, actionId) =>
  openItems(
    ctx,
    tenantId,
    actionScope(actionId),
    "action",
    ctx.store.variables.getActionSet(tenantId, actionId)?.items ?? [],
  );

/** Lowest precedence first (SPEC §6.3). The override layer goes last. */
export const VARIABLE_LAYERS: VariableLayer[] = [globalLayer, actionLayer, overrideLayer];

/** Every effective variable with its source, by name. Throws VariableDecryptionError (see above). */
export function resolveEffectiveEntries(
  ctx: EffectiveContext,
  tenantId: string,
  actionId: string,
  environmentId?: string,
): Map<string, EffectiveEntry> {
  const entries = new Map<string, EffectiveEntry>();
  for (const layer of VARIABLE_LAYERS)
    for (const entry of layer(ctx, tenantId, actionId, environmentId)) entries.set(entry.name, entry);
  return entries;
}

/** name → decrypted, typed value: what `context.variables` holds in the sandbox (SPEC §4). */
export function resolveEffectiveVariables(
  ctx: EffectiveContext,
  tenantId: string,
  actionId: string,
  environmentId?: string,
): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [name, entry] of resolveEffectiveEntries(ctx, tenantId, actionId, environmentId))
    Object.defineProperty(result, name, {
      value: entry.value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  return result;
}
