/**
 * The emulator's root key, which wraps every tenant master key. Sources, first match wins:
 * `CXDA_EMULATOR_ROOT_KEY` (64 hex chars or base64 of 32 bytes), else `<dataDir>/root.key` (64 hex chars
 * and a newline, mode 0600, created when missing), else a random key that lives as long as the process.
 * An empty CXDA_EMULATOR_ROOT_KEY counts as unset. A root.key that others than its owner can read is
 * refused unless `allowInsecurePermissions` (then it is a warning). Key material never appears in a message.
 */
import { randomBytes } from "node:crypto";
import {
  closeSync,
  fchmodSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  statSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import { KeyringError } from "./keyring-error.js";

export const ROOT_KEY_ENV = "CXDA_EMULATOR_ROOT_KEY";
export const ROOT_KEY_FILE = "root.key";
export const ROOT_KEY_BYTES = 32;

const HEX = /^[0-9a-fA-F]{64}$/;
const BASE64_32 = /^(?:[A-Za-z0-9+/]{43}=?|[A-Za-z0-9_-]{43})$/;
const HOW_TO_MAKE = "generate one with `openssl rand -hex 32`";

export interface RootKey {
  key: Buffer;
  source: "env" | "file" | "ephemeral";
  warning?: string;
}

/** 64 hex chars or base64/base64url of exactly 32 bytes (surrounding whitespace ignored); else undefined. */
export function parseRootKey(text: string): Buffer | undefined {
  const trimmed = text.trim();
  if (HEX.test(trimmed)) return Buffer.from(trimmed, "hex");
  if (BASE64_32.test(trimmed)) {
    const key = Buffer.from(trimmed, trimmed.includes("-") || trimmed.includes("_") ? "base64url" : "base64");
    if (key.length === ROOT_KEY_BYTES) return key;
  }
  return undefined;
}

export function loadRootKey(options: {
  dataDir?: string;
  env?: NodeJS.ProcessEnv;
  allowInsecurePermissions?: boolean;
}): RootKey {
  const env = options.env ?? process.env;
  const fromEnv = env[ROOT_KEY_ENV];
  if (fromEnv !== undefined && fromEnv.trim() !== "") {
    const key = parseRootKey(fromEnv);
    if (key === undefined) {
      throw new KeyringError(
        `${ROOT_KEY_ENV} must be 64 hex characters or the base64 of 32 bytes, but its ${fromEnv.trim().length} ` +
          `characters are neither: ${HOW_TO_MAKE}, or unset it to use the data directory's ${ROOT_KEY_FILE}`,
        "invalid-root-key",
      );
    }
    return { key, source: "env" };
  }
  if (options.dataDir === undefined) return { key: randomBytes(ROOT_KEY_BYTES), source: "ephemeral" };
  return loadOrCreateKeyFile(
    join(options.dataDir, ROOT_KEY_FILE),
    options.dataDir,
    options.allowInsecurePermissions ?? false,
  );
}

function loadOrCreateKeyFile(path: string, dataDir: string, allowInsecure: boolean): RootKey {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (!exists(path)) createKeyFile(path);
  const key = parseRootKey(readFileSync(path, "utf8"));
  if (key === undefined) {
    throw new KeyringError(
      `${path} must hold 64 hex characters (or the base64 of 32 bytes) and nothing else: restore the original ` +
        `file from a backup, or set ${ROOT_KEY_ENV}; replacing it makes existing secrets unreadable`,
      "invalid-root-key",
    );
  }
  const mode = statSync(path).mode & 0o777;
  // POSIX modes only; Windows reports synthetic ones.
  if (process.platform !== "win32" && (mode & 0o077) !== 0) {
    const loose = `${path} has mode ${mode.toString(8).padStart(4, "0")}, readable by others than its owner, and it decrypts every stored secret`;
    if (!allowInsecure)
      throw new KeyringError(
        `${loose}: run \`chmod 600 ${path}\`, or start with --insecure-key-permissions to accept the risk`,
        "insecure-root-key",
      );
    return { key, source: "file", warning: `${loose}: run \`chmod 600 ${path}\`` };
  }
  return { key, source: "file" };
}

/** Written to a private temp file, then linked into place: never a half-written root.key, never clobbered. */
function createKeyFile(path: string): void {
  const temp = `${path}.${randomBytes(6).toString("hex")}.tmp`;
  const fd = openSync(temp, "wx", 0o600);
  try {
    fchmodSync(fd, 0o600); // exactly 0600 whatever the umask
    writeSync(fd, `${randomBytes(ROOT_KEY_BYTES).toString("hex")}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(temp, path);
  } catch (error) {
    // Another process created it first: theirs is the key.
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  } finally {
    unlinkSync(temp);
  }
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw error;
  }
}
