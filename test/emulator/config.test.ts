import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  defaultEmulatorConfig,
  loadEmulatorConfig,
  parseEmulatorConfig,
  resolveEmulatorConfig,
} from "../../src/emulator/config.js";
import { startEmulator } from "../../src/emulator/server.js";
import { ValidationError } from "../../src/errors.js";

const dir = mkdtempSync(join(tmpdir(), "cxda-emu-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === "object" && address ? address.port : 0;
}

describe("emulator config", () => {
  it("has the documented built-in default", () => {
    const config = defaultEmulatorConfig();
    expect(config.tenants).toEqual([
      {
        id: "demo",
        clients: [
          {
            id: "cxda-demo",
            secret: "cxda-demo-secret",
            scopes: [
              "dataactions:read",
              "dataactions:write",
              "dataactions:delete",
              "dataactions:admin",
              "dataactions:execute",
            ],
          },
        ],
        accessKeys: [],
      },
    ]);
    expect(config.environments.map((e) => e.id)).toEqual(["dev", "staging", "prod"]);
    expect(config.rateLimit).toEqual({ perMinute: 600, burst: 20 });
    expect(config.tokenTtlSeconds).toBe(3600);
    expect(config.sandbox).toEqual({ timeoutMs: 1000, memoryMb: 32 });
  });

  it("grants dataactions:execute only to a client whose scopes name it", () => {
    const config = parseEmulatorConfig({
      tenants: [
        {
          id: "acme",
          clients: [
            { id: "ci", secret: "ci-secret" },
            { id: "runner", secret: "runner-secret", scopes: ["dataactions:write", "dataactions:execute"] },
          ],
        },
      ],
    });
    const [ci, runner] = config.tenants[0]!.clients;
    expect(ci!.scopes).toEqual([
      "dataactions:read",
      "dataactions:write",
      "dataactions:delete",
      "dataactions:admin",
    ]);
    expect(runner!.scopes).toEqual(["dataactions:write", "dataactions:execute"]);
  });

  it("refuses sandbox limits the sandbox cannot honour instead of clamping them", () => {
    expect(() => resolveEmulatorConfig({ sandbox: { timeoutMs: 120_000, memoryMb: 32 } })).toThrow(
      /sandbox\.timeoutMs.*60000/,
    );
    expect(() => resolveEmulatorConfig({ sandbox: { timeoutMs: 1000, memoryMb: 4096 } })).toThrow(
      /sandbox\.memoryMb.*1024/,
    );
    expect(resolveEmulatorConfig({ sandbox: { timeoutMs: 60_000, memoryMb: 1024 } }).sandbox).toEqual({
      timeoutMs: 60_000,
      memoryMb: 1024,
    });
  });

  it("loads YAML and JSON files; options override the file", () => {
    const yaml = write(
      "ok.yaml",
      `tenants:
  - id: acme
    clients: [{id: acme-ci, secret: "s3cret", scopes: [dataactions:read, dataactions:write]}]
    accessKeys: [{id: AKIA1, secret: "k", client: acme-ci}]
environments: [{id: dev, name: development, order: 0, buildOnChange: true}]
rateLimit: {perMinute: 120, burst: 5}
tokenTtlSeconds: 600
`,
    );
    const fromYaml = loadEmulatorConfig(yaml);
    expect(fromYaml.tenants[0]!.clients[0]!.scopes).toEqual(["dataactions:read", "dataactions:write"]);
    expect(fromYaml.rateLimit).toEqual({ perMinute: 120, burst: 5 });
    const json = write(
      "ok.json",
      JSON.stringify({ tenants: [{ id: "j", clients: [{ id: "j1", secret: "x" }] }] }),
    );
    expect(loadEmulatorConfig(json).tenants[0]!.id).toBe("j");
    const merged = resolveEmulatorConfig({
      configFile: yaml,
      tokenTtlSeconds: 5,
      rateLimit: { perMinute: 1, burst: 1 },
    });
    expect(merged.tokenTtlSeconds).toBe(5);
    expect(merged.rateLimit).toEqual({ perMinute: 1, burst: 1 });
    expect(merged.tenants[0]!.id).toBe("acme");
  });

  it("names the file, the field path and the problem for a file that does not match", () => {
    const path = write(
      "bad.yaml",
      "tenants:\n  - id: acme\n    clients: [{id: acme-ci, secret: 42}]\nrateLimit: {perMinute: 0, burst: 5}\n",
    );
    const error = (() => {
      try {
        loadEmulatorConfig(path);
      } catch (e) {
        return e as ValidationError;
      }
      throw new Error("expected an error");
    })();
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.message).toContain(path);
    expect(error.message).toContain("tenants[0].clients[0].secret");
    expect(error.message).toContain("rateLimit.perMinute");
    expect(error.issues.map((i) => i.path)).toEqual(["tenants[0].clients[0].secret", "rateLimit.perMinute"]);
  });

  it("refuses missing, unparsable and empty files with the file named", () => {
    expect(() => loadEmulatorConfig(join(dir, "missing.yaml"))).toThrow(/missing\.yaml does not exist/);
    expect(() => loadEmulatorConfig(write("broken.yaml", "tenants: [\n"))).toThrow(
      /broken\.yaml is not valid YAML/,
    );
    expect(() => loadEmulatorConfig(write("empty.yaml", ""))).toThrow(/empty\.yaml is empty/);
    expect(() => loadEmulatorConfig(write("dupkey.yaml", "tenants: []\ntenants: []\n"))).toThrow(
      ValidationError,
    );
  });

  it("refuses duplicate client ids across tenants, unknown fields and access keys of another client", () => {
    const run = (value: unknown) => () => parseEmulatorConfig(value, "test");
    expect(
      run({
        tenants: [
          { id: "a", clients: [{ id: "shared", secret: "x" }] },
          { id: "b", clients: [{ id: "shared", secret: "y" }] },
        ],
      }),
    ).toThrow(/tenants\[1\]\.clients\[0\]\.id.*unique across tenants/);
    expect(run({ tenants: [{ id: "a", clients: [{ id: "c", secret: "x" }] }], rateLimt: {} })).toThrow(
      /rateLimt/,
    );
    expect(
      run({
        tenants: [
          {
            id: "a",
            clients: [{ id: "c", secret: "x" }],
            accessKeys: [{ id: "k", secret: "s", client: "zz" }],
          },
        ],
      }),
    ).toThrow(/accessKeys\[0\]\.client/);
    expect(
      run({ tenants: [{ id: "a", clients: [{ id: "c", secret: "x", scopes: ["dataactions:root"] }] }] }),
    ).toThrow(/scopes\[0\]/);
  });

  it("never puts a secret into the error message", () => {
    try {
      parseEmulatorConfig({
        tenants: [{ id: "a", clients: [{ id: "c", secret: "very-secret-value", scopes: "all" }] }],
      });
      throw new Error("expected an error");
    } catch (error) {
      expect((error as Error).message).not.toContain("very-secret-value");
    }
  });

  it("does not start (nothing listens) with a bad config file", async () => {
    const port = await freePort();
    const bad = write("nostart.yaml", "tenants: []\n");
    await expect(startEmulator({ port, configFile: bad })).rejects.toThrow(/nostart\.yaml.*tenants/);
    await expect(fetch(`http://127.0.0.1:${port}/.well-known/openid-configuration`)).rejects.toThrow();
    await expect(startEmulator({ port: 0, inMemory: true, dataDir: dir })).rejects.toThrow(ValidationError);
  });
});
