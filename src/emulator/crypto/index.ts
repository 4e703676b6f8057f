/** Encryption at rest for the emulator's secrets: tenant keyring, root key, key storage. */
export { actionScope, GLOBAL_SCOPE, headerScope, overrideScope, type ValueBinding } from "./binding.js";
export type { KeyStorage, StoredTenantKey } from "./key-storage.js";
export { KeyringError, type KeyringErrorCode } from "./keyring-error.js";
export { createMemoryKeyStorage } from "./memory-key-storage.js";
export { loadRootKey, parseRootKey, ROOT_KEY_ENV, ROOT_KEY_FILE, type RootKey } from "./root-key.js";
export {
  type SealedValue,
  type TenantKeyList,
  TenantKeyring,
  type TenantKeyringOptions,
} from "./tenant-keyring.js";
