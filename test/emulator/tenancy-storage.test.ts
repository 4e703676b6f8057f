import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { EmulatorConfigInput } from "../../src/emulator/config.js";
import { api, createAction, getToken, scriptAction, slug, startTestEmulator } from "./helpers.js";

const config: EmulatorConfigInput = {
  tenants: [
    { id: "acme", clients: [{ id: "acme-ci", secret: "acme-secret" }] },
    { id: "globex", clients: [{ id: "globex-ci", secret: "globex-secret" }] },
  ],
};

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe("tenancy", () => {
  it("isolates tenants fully: another tenant gets 404 for every operation, and lists stay separate", async () => {
    const emulator = await startTestEmulator({ config });
    try {
      const acme = await getToken(emulator, { id: "acme-ci", secret: "acme-secret" });
      const globex = await getToken(emulator, { id: "globex-ci", secret: "globex-secret" });
      const action = await createAction(emulator, acme, scriptAction("acme_only"));
      const path = `/api/v2/dataactions/${action.id}`;
      for (const [method, body] of [
        ["GET", undefined],
        ["PATCH", { description: "x" }],
        ["PUT", scriptAction("acme_only")],
        ["DELETE", undefined],
      ] as const) {
        const res = await api(emulator, method, path, { token: globex, ...(body ? { body } : {}) });
        expect(res.status, method).toBe(404);
        expect(slug(res)).toBe("not-found");
      }
      expect((await api(emulator, "GET", "/api/v2/dataactions", { token: globex })).body.total).toBe(0);
      // Names are unique per tenant, not globally; dependencies resolve within the tenant only.
      await createAction(emulator, globex, scriptAction("acme_only"));
      const dep = await api(emulator, "POST", "/api/v2/dataactions", {
        token: globex,
        body: scriptAction("needs_acme", { dependencies: ["acme_only_x"] }),
      });
      expect(slug(dep)).toBe("unknown-dependency");
      expect((await api(emulator, "GET", path, { token: acme })).status).toBe(200);
    } finally {
      await emulator.close();
    }
  });
});

describe("storage", () => {
  it("keeps actions and issued tokens across a restart with the same data directory", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "cxda-emu-"));
    dirs.push(dataDir);
    const first = await startTestEmulator({ dataDir });
    const token = await getToken(first);
    const created = await createAction(first, token, scriptAction("survives_restart"));
    await api(first, "PATCH", `/api/v2/dataactions/${created.id}`, { token, body: { description: "v2" } });
    await api(first, "POST", "/api/v2/dataactions", {
      token,
      body: scriptAction("keyed"),
      headers: { "idempotency-key": "persist-me" },
    });
    await first.close();

    const second = await startTestEmulator({ dataDir });
    try {
      const got = await api(second, "GET", `/api/v2/dataactions/${created.id}`, { token });
      expect(got.status).toBe(200);
      expect(got.body).toMatchObject({ name: "survives_restart", description: "v2", version: 2 });
      const replay = await api(second, "POST", "/api/v2/dataactions", {
        token,
        body: scriptAction("keyed"),
        headers: { "idempotency-key": "persist-me" },
      });
      expect(replay.headers.get("idempotent-replayed")).toBe("true");
    } finally {
      await second.close();
    }
  });

  it("keeps nothing between two in-memory emulators", async () => {
    const a = await startTestEmulator();
    const token = await getToken(a);
    await createAction(a, token, scriptAction("ephemeral"));
    await a.close();
    const b = await startTestEmulator();
    try {
      const list = await api(b, "GET", "/api/v2/dataactions", { token: await getToken(b) });
      expect(list.body.total).toBe(0);
    } finally {
      await b.close();
    }
  });

  it("closes cleanly, twice, and frees the port", async () => {
    const emulator = await startTestEmulator();
    await emulator.close();
    await emulator.close();
    await expect(api(emulator, "GET", "/.well-known/openid-configuration")).rejects.toThrow();
  });
});
