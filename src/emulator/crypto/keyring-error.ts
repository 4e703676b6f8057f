/**
 * The one error the keyring throws. `code` lets the emulator map it to a problem without parsing the
 * message; messages name the variable and the fix, never a key or a plaintext.
 */
export type KeyringErrorCode =
  /** GCM authentication failed: the ciphertext was altered or is bound to another tenant, scope or name. */
  | "authentication-failed"
  /** The sealed value names a key the tenant does not have. */
  | "unknown-key"
  /** The sealed value is not base64 of iv|tag|ciphertext. */
  | "malformed-ciphertext"
  /** A stored tenant key cannot be unwrapped: the root key differs from the one that wrapped it. */
  | "root-key-mismatch"
  /** CXDA_EMULATOR_ROOT_KEY or root.key does not hold a 32-byte key. */
  | "invalid-root-key"
  /** root.key is readable by others than its owner (and the operator did not accept that). */
  | "insecure-root-key"
  /** The key storage is inconsistent (active key missing, duplicate key id). */
  | "corrupt-key-storage"
  /** The plaintext cannot be encoded as UTF-8 without loss (lone surrogate). */
  | "invalid-plaintext";

export class KeyringError extends Error {
  readonly code: KeyringErrorCode;

  constructor(message: string, code: KeyringErrorCode) {
    super(message);
    this.name = "KeyringError";
    this.code = code;
  }
}
