import { randomBytes } from "node:crypto";
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  createMemoryKeyStorage,
  KeyringError,
  loadRootKey,
  parseRootKey,
  ROOT_KEY_ENV,
  TenantKeyring,
} from "../../../src/emulator/crypto/index.js";

const posix = process.platform !== "win32";
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "cxda-root-key-"));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function refusal(fn: () => unknown): KeyringError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(KeyringError);
    expect((error as KeyringError).code).toBe("invalid-root-key");
    return error as KeyringError;
  }
  throw new Error("expected a KeyringError, nothing was thrown");
}

describe("loadRootKey from CXDA_EMULATOR_ROOT_KEY", () => {
  const bytes = randomBytes(32);

  it.each([
    ["hex", bytes.toString("hex")],
    ["upper-case hex", bytes.toString("hex").toUpperCase()],
    ["base64", bytes.toString("base64")],
    ["base64 without padding", bytes.toString("base64").replace(/=+$/, "")],
    ["base64url", bytes.toString("base64url")],
    ["hex with a trailing newline", `${bytes.toString("hex")}\n`],
  ])("accepts %s", (_label, value) => {
    const loaded = loadRootKey({ env: { [ROOT_KEY_ENV]: value } });
    expect(loaded.source).toBe("env");
    expect(loaded.key.equals(bytes)).toBe(true);
    expect(loaded.warning).toBeUndefined();
  });

  it.each([
    ["a short word", "changeme"],
    ["63 hex chars", bytes.toString("hex").slice(1)],
    ["65 hex chars", `${bytes.toString("hex")}0`],
    ["base64 of 31 bytes", randomBytes(31).toString("base64")],
    ["base64 of 33 bytes", randomBytes(33).toString("base64")],
    ["hex with a non-hex char", `${bytes.toString("hex").slice(0, 63)}g`],
  ])("refuses %s with a clear error that does not echo the value", (_label, value) => {
    const error = refusal(() => loadRootKey({ dataDir: dir, env: { [ROOT_KEY_ENV]: value } }));
    expect(error.message).toContain(ROOT_KEY_ENV);
    expect(error.message).toContain("64 hex characters or the base64 of 32 bytes");
    expect(error.message).not.toContain(value.trim());
    expect(existsSync(join(dir, "root.key"))).toBe(false);
  });

  it("wins over the data directory's key file, which is then neither created nor read", () => {
    const loaded = loadRootKey({ dataDir: dir, env: { [ROOT_KEY_ENV]: bytes.toString("hex") } });
    expect(loaded.key.equals(bytes)).toBe(true);
    expect(existsSync(join(dir, "root.key"))).toBe(false);
  });

  it("treats an empty value as unset", () => {
    expect(loadRootKey({ env: { [ROOT_KEY_ENV]: "" } }).source).toBe("ephemeral");
  });
});

describe("loadRootKey from <dataDir>/root.key", () => {
  it.runIf(posix)("creates the file with mode 0600 and reuses it on the next load", () => {
    const first = loadRootKey({ dataDir: dir, env: {} });
    const path = join(dir, "root.key");
    expect(first.source).toBe("file");
    expect(first.warning).toBeUndefined();
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(readFileSync(path, "utf8")).toBe(`${first.key.toString("hex")}\n`);

    const second = loadRootKey({ dataDir: dir, env: {} });
    expect(second.source).toBe("file");
    expect(second.key.equals(first.key)).toBe(true);
    expect(readdirSync(dir)).toEqual(["root.key"]);
  });

  it("creates a missing data directory", () => {
    const nested = join(dir, "a", "b");
    const loaded = loadRootKey({ dataDir: nested, env: {} });
    expect(loaded.key).toHaveLength(32);
    expect(existsSync(join(nested, "root.key"))).toBe(true);
  });

  it("lets a restarted keyring open what the previous one sealed", () => {
    const storage = createMemoryKeyStorage();
    const binding = { scope: "global", name: "TOKEN" };
    const before = new TenantKeyring({ rootKey: loadRootKey({ dataDir: dir, env: {} }).key, storage });
    const sealed = before.seal("demo", binding, "kept-across-restarts");
    const after = new TenantKeyring({ rootKey: loadRootKey({ dataDir: dir, env: {} }).key, storage });
    expect(after.open("demo", binding, sealed)).toBe("kept-across-restarts");
  });

  it.runIf(posix)(
    "refuses a file readable by others, unless allowed (then warns), never showing key material",
    () => {
      const first = loadRootKey({ dataDir: dir, env: {} });
      const path = join(dir, "root.key");
      chmodSync(path, 0o640);
      expect(() => loadRootKey({ dataDir: dir, env: {} })).toThrow(
        `${path} has mode 0640, readable by others than its owner, and it decrypts every stored secret: run \`chmod 600 ${path}\`, or start with --insecure-key-permissions to accept the risk`,
      );
      chmodSync(path, 0o644);
      const loaded = loadRootKey({ dataDir: dir, env: {}, allowInsecurePermissions: true });
      expect(loaded.key.equals(first.key)).toBe(true);
      expect(loaded.warning).toContain("0644");
      expect(loaded.warning).toContain(`chmod 600 ${path}`);
      expect(loaded.warning).not.toContain(first.key.toString("hex"));
    },
  );

  it("refuses a file that holds no valid key, and leaves it alone", () => {
    const path = join(dir, "root.key");
    writeFileSync(path, "not a key\n", { mode: 0o600 });
    const error = refusal(() => loadRootKey({ dataDir: dir, env: {} }));
    expect(error.message).toContain(path);
    expect(readFileSync(path, "utf8")).toBe("not a key\n");
  });

  it("accepts a hand-written base64 key file", () => {
    const bytes = randomBytes(32);
    writeFileSync(join(dir, "root.key"), `${bytes.toString("base64")}\n`, { mode: 0o600 });
    expect(loadRootKey({ dataDir: dir, env: {} }).key.equals(bytes)).toBe(true);
  });
});

describe("loadRootKey without a data directory", () => {
  it("returns a random ephemeral key, different on every load", () => {
    const a = loadRootKey({ env: {} });
    const b = loadRootKey({ env: {} });
    expect(a.source).toBe("ephemeral");
    expect(a.key).toHaveLength(32);
    expect(a.key.equals(b.key)).toBe(false);
  });
});

describe("parseRootKey", () => {
  it("returns undefined rather than a key of the wrong size", () => {
    expect(parseRootKey("")).toBeUndefined();
    expect(parseRootKey(randomBytes(16).toString("hex"))).toBeUndefined();
    expect(parseRootKey(randomBytes(32).toString("hex"))).toHaveLength(32);
  });
});
