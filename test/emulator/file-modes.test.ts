/**
 * Issue 15 item 8: everything the emulator writes is readable by its owner only, whatever the umask;
 * a data directory or database others can read is tightened (and said so); a root.key others can read
 * stops the start unless the operator accepts it.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmulator } from "../../src/emulator/server.js";
import { DATABASE_FILE } from "../../src/emulator/store/sqlite-store.js";
import { createAction, getToken, scriptAction } from "./helpers.js";

const posix = process.platform !== "win32";
const modeOf = (path: string) => (statSync(path).mode & 0o777).toString(8).padStart(4, "0");

let umask = 0;
beforeAll(() => {
  umask = process.umask(0); // the most permissive umask: any mode not set on purpose shows as 0666/0777
});
afterAll(() => {
  process.umask(umask);
});

async function writeSomething(dataDir: string, options: { insecureKeyPermissions?: boolean } = {}) {
  const emulator = await startEmulator({ port: 0, dataDir, ...options });
  await createAction(emulator, await getToken(emulator), scriptAction(`written_${Date.now()}`));
  return emulator;
}

describe.runIf(posix)("file modes of the emulator's data directory", () => {
  it("creates the directory 0700 and root.key, the database, its WAL and SHM 0600", async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), "cxda-modes-")), "nested", "state");
    const emulator = await writeSomething(dataDir);
    try {
      expect(emulator.warnings).toEqual([]);
      const db = join(dataDir, DATABASE_FILE);
      expect(existsSync(`${db}-wal`)).toBe(true);
      expect(existsSync(`${db}-shm`)).toBe(true);
      expect({
        dir: modeOf(dataDir),
        parent: modeOf(join(dataDir, "..")),
        key: modeOf(join(dataDir, "root.key")),
        db: modeOf(db),
        wal: modeOf(`${db}-wal`),
        shm: modeOf(`${db}-shm`),
      }).toEqual({ dir: "0700", parent: "0700", key: "0600", db: "0600", wal: "0600", shm: "0600" });
    } finally {
      await emulator.close();
    }
  });

  it("tightens an existing directory and database others can read, and says what it changed", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "cxda-modes-"));
    await (await writeSomething(dataDir)).close();
    const db = join(dataDir, DATABASE_FILE);
    chmodSync(dataDir, 0o755);
    chmodSync(db, 0o644);
    const emulator = await writeSomething(dataDir);
    try {
      expect(emulator.warnings).toEqual([
        `data directory ${dataDir} had mode 0755, readable by others than its owner; cxda set it to 0700`,
        `database ${db} had mode 0644, readable by others than its owner; cxda set it to 0600`,
      ]);
      expect([modeOf(dataDir), modeOf(db), modeOf(`${db}-wal`), modeOf(`${db}-shm`)]).toEqual([
        "0700",
        "0600",
        "0600",
        "0600",
      ]);
    } finally {
      await emulator.close();
    }
  });

  it("refuses a root.key others can read, unless --insecure-key-permissions (then warns)", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "cxda-modes-"));
    mkdirSync(dataDir, { recursive: true });
    const key = join(dataDir, "root.key");
    writeFileSync(key, `${"ab".repeat(32)}\n`, { mode: 0o644 });
    await expect(startEmulator({ port: 0, dataDir })).rejects.toThrow(
      `${key} has mode 0644, readable by others than its owner, and it decrypts every stored secret: run \`chmod 600 ${key}\`, or start with --insecure-key-permissions to accept the risk`,
    );
    expect(existsSync(join(dataDir, DATABASE_FILE))).toBe(false);
    const emulator = await writeSomething(dataDir, { insecureKeyPermissions: true });
    try {
      expect(emulator.warnings).toEqual([
        `${key} has mode 0644, readable by others than its owner, and it decrypts every stored secret: run \`chmod 600 ${key}\``,
      ]);
    } finally {
      await emulator.close();
    }
  });
});
