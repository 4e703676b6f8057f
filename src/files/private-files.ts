/**
 * Files and directories only their owner may read (issue 15 item 8): the emulator's database, WAL and
 * SHM, its data directory, the audit log, saved plans and exported projects. Created 0600 (directories
 * 0700) whatever the umask; an existing file or directory that others can read is tightened when cxda
 * owns it, and reported when it cannot be.
 */
import { chmodSync, closeSync, fchmodSync, mkdirSync, openSync, statSync, writeSync } from "node:fs";
import { dirname, resolve } from "node:path";

export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIR_MODE = 0o700;

/** POSIX modes only: Windows reports synthetic ones. */
const POSIX = process.platform !== "win32";

function octal(mode: number): string {
  return (mode & 0o777).toString(8).padStart(4, "0");
}

/** Creates `path` and its missing parents as 0700 directories whatever the umask; existing ones stay as they are. */
export function makePrivateDirs(path: string): void {
  const first = mkdirSync(path, { recursive: true, mode: PRIVATE_DIR_MODE });
  if (first === undefined || !POSIX) return;
  const top = resolve(first);
  for (let dir = resolve(path); ; dir = dirname(dir)) {
    chmodSync(dir, PRIVATE_DIR_MODE);
    if (dir === top || dirname(dir) === dir) return;
  }
}

/**
 * Makes `path` a 0700 directory: created so when missing, set to 0700 when it exists and others can
 * read it. Returns a warning saying what was changed, or what could not be.
 */
export function ensurePrivateDir(path: string, what = "directory"): string | undefined {
  makePrivateDirs(path);
  return tighten(path, PRIVATE_DIR_MODE, what);
}

/** Creates `path` empty with mode 0600 when missing; tightens it when others can read it. */
export function ensurePrivateFile(path: string, what = "file"): string | undefined {
  closeSync(openSync(path, "a", PRIVATE_FILE_MODE));
  return tighten(path, PRIVATE_FILE_MODE, what);
}

/** Writes `data` to `path` (replacing its content) as a 0600 file, whatever the umask or its old mode. */
export function writePrivateFile(path: string, data: string | Uint8Array): void {
  const fd = openSync(path, "w", PRIVATE_FILE_MODE);
  try {
    if (POSIX) fchmodSync(fd, PRIVATE_FILE_MODE);
    const bytes = typeof data === "string" ? Buffer.from(data, "utf8") : data;
    let written = 0;
    while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
  } finally {
    closeSync(fd);
  }
}

function tighten(path: string, mode: number, what: string): string | undefined {
  if (!POSIX) return undefined;
  const current = statSync(path).mode & 0o777;
  if ((current & 0o077) === 0) return undefined;
  try {
    chmodSync(path, mode);
    return `${what} ${path} had mode ${octal(current)}, readable by others than its owner; cxda set it to ${octal(mode)}`;
  } catch {
    return `${what} ${path} has mode ${octal(current)}, readable by others than its owner, and cxda could not change it: run \`chmod ${octal(mode).slice(1)} ${path}\``;
  }
}
