/**
 * What a ciphertext is bound to. The associated data is a JSON array, so no choice of tenant, scope or
 * name can be confused with another (no separator to smuggle). The scope helpers keep writers and
 * readers of the emulator in agreement; any string works as a scope as long as both sides use the same.
 */

export interface ValueBinding {
  /** `actionScope(id)`, `GLOBAL_SCOPE` or `overrideScope(actionId, envId)`. */
  scope: string;
  /** The variable name. */
  name: string;
}

export type KeyPurpose = "data" | "fingerprint";

export const GLOBAL_SCOPE = "global";

/** Scope of an action variable. */
export function actionScope(actionId: string): string {
  return `action:${actionId}`;
}

/** Scope of a masked override: bound to the action as well, so it cannot move between actions. */
export function overrideScope(actionId: string, environmentId: string): string {
  return `override:${encodeURIComponent(environmentId)}/${encodeURIComponent(actionId)}`;
}

/** Scope of a credential-like header value of an action (issue 11 R6): bound to that action. */
export function headerScope(actionId: string): string {
  return `header:${actionId}`;
}

/** AAD of a sealed value; the key id is included so a value cannot be relabelled to another key. */
export function valueAad(tenantId: string, binding: ValueBinding, keyId: string): Buffer {
  return Buffer.from(JSON.stringify(["cxda.value.v1", tenantId, binding.scope, binding.name, keyId]), "utf8");
}

/** AAD of a wrapped tenant key. */
export function wrappedKeyAad(tenantId: string, keyId: string, purpose: KeyPurpose): Buffer {
  return Buffer.from(JSON.stringify(["cxda.tenant-key.v1", tenantId, keyId, purpose]), "utf8");
}
