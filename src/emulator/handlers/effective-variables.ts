/**
 * The variables a test run (and a build) sees: the layers of this tenant read from the store, secrets
 * decrypted, typed values converted (integer → number, boolean → boolean, object → parsed), then the
 * domain's precedence rule, `resolveEffectiveVariables` (override ▸ action ▸ global). Only the sandbox
 * may receive the result: it holds plaintext secrets.
 */
import {
  type EffectiveVariable,
  type LayerVariable,
  resolveEffectiveVariables,
  type VariableSource,
} from "../../domain/effective-variables.js";
import type { VariableType } from "../../domain/variables.js";
import type { EmulatorContext } from "../context.js";
import { actionScope, GLOBAL_SCOPE, KeyringError, overrideScope } from "../crypto/index.js";
import type { StoredVariableItem } from "../store/variables-repository.js";

export type EffectiveContext = Pick<EmulatorContext, "store" | "keyring">;

/** One effective variable: `value` decrypted and typed; when `secret`, never shown outside the sandbox. */
export type EffectiveEntry = EffectiveVariable<unknown>;

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

/** The typed value of a validated stored string (values are stored as strings checked against `type`). */
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
): LayerVariable<unknown>[] {
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
    return { name: item.name, value: typedValue(item.type, text), secret: item.encrypted };
  });
}

/** The override layer (highest precedence): plain values as stored, masked ones opened. */
function openOverrides(
  ctx: EffectiveContext,
  tenantId: string,
  actionId: string,
  environmentId: string,
): LayerVariable<unknown>[] {
  const set = ctx.store.overrides.get(tenantId, actionId, environmentId);
  return (set?.items ?? []).map((item) => {
    if (!item.masked) return { name: item.name, value: item.value ?? "", secret: false };
    try {
      const value = ctx.keyring.open(
        tenantId,
        { scope: overrideScope(actionId, environmentId), name: item.name },
        item.sealed ?? { ciphertext: "", keyId: "" },
      );
      return { name: item.name, value, secret: true };
    } catch (error) {
      if (error instanceof KeyringError) throw new VariableDecryptionError(item.name, "override", error);
      throw error;
    }
  });
}

/** Every effective variable with its source, by name. Throws VariableDecryptionError (see above). */
export function resolveEffectiveEntries(
  ctx: EffectiveContext,
  tenantId: string,
  actionId: string,
  environmentId?: string,
): Map<string, EffectiveEntry> {
  const { variables } = ctx.store;
  return resolveEffectiveVariables<unknown>({
    global: openItems(ctx, tenantId, GLOBAL_SCOPE, "global", variables.getGlobalSet(tenantId)?.items ?? []),
    action: openItems(
      ctx,
      tenantId,
      actionScope(actionId),
      "action",
      variables.getActionSet(tenantId, actionId)?.items ?? [],
    ),
    override: environmentId === undefined ? [] : openOverrides(ctx, tenantId, actionId, environmentId),
  });
}

/** name → decrypted, typed value: what `context.variables` holds in the sandbox. */
export function sandboxVariables(
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
