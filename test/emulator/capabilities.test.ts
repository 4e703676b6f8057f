/** `GET /api/v2`: the API version and the capabilities served; disabled ones are gone and answer 404. */
import { describe, expect, it } from "vitest";
import { ValidationError } from "../../src/errors.js";
import { api, getToken, startTestEmulator } from "./helpers.js";

describe("GET /api/v2", () => {
  it("advertises snapshot, changesets, deployments and revisions by default, with the read scope", async () => {
    const emulator = await startTestEmulator();
    try {
      const token = await getToken(emulator, undefined, "dataactions:read");
      const res = await api(emulator, "GET", "/api/v2", { token });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        apiVersion: "v2",
        capabilities: ["snapshot", "changesets", "deployments", "revisions"],
      });
      expect((await api(emulator, "GET", "/api/v2")).status).toBe(401);
      expect((await api(emulator, "GET", "/api/v2/snapshot", { token })).status).toBe(200);
    } finally {
      await emulator.close();
    }
  });

  it("leaves out what disableCapabilities names, and those endpoints answer 404", async () => {
    const emulator = await startTestEmulator({
      disableCapabilities: ["snapshot", "changesets", "deployments", "revisions"],
    });
    try {
      const token = await getToken(emulator);
      expect((await api(emulator, "GET", "/api/v2", { token })).body.capabilities).toEqual([]);
      const snapshot = await api(emulator, "GET", "/api/v2/snapshot", { token });
      expect(snapshot.status).toBe(404);
      expect(snapshot.body.type).toBe("urn:cxda:problem:not-found");
      const changeset = await api(emulator, "POST", "/api/v2/changesets", {
        token,
        body: { operations: [] },
        headers: { "idempotency-key": "k1" },
      });
      expect(changeset.status).toBe(404);
      expect(changeset.body.type).toBe("urn:cxda:problem:not-found");
    } finally {
      await emulator.close();
    }
  });

  it("refuses an unknown capability name in the config, naming the field", async () => {
    await expect(
      startTestEmulator({
        config: {
          tenants: [{ id: "t", clients: [{ id: "c", secret: "s" }] }],
          disableCapabilities: ["snapshots"],
        } as never,
      }),
    ).rejects.toThrow(ValidationError);
    await expect(startTestEmulator({ disableCapabilities: ["snapshots"] })).rejects.toThrow(
      /disableCapabilities/,
    );
  });
});
