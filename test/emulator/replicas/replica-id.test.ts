/** A replica's id: given or generated, on /healthz and on every test-hook response. */
import { fetch } from "undici";
import { describe, expect, it } from "vitest";
import { startTestEmulator } from "../helpers.js";

describe("replica id", () => {
  it("is shown by /healthz and on test-hook responses, which are this replica's own", async () => {
    const emulator = await startTestEmulator({ replicaId: "blue-1" });
    try {
      expect(await (await fetch(`${emulator.url}/healthz`)).json()).toEqual({
        status: "ok",
        replica: "blue-1",
      });
      for (const path of ["/_emulator/requests", "/_emulator/faults"]) {
        const hook = await fetch(`${emulator.url}${path}`);
        expect(hook.status).toBe(200);
        expect(hook.headers.get("x-cxda-replica")).toBe("blue-1");
      }
      // Not on the API itself.
      expect((await fetch(`${emulator.url}/api/v2`)).headers.get("x-cxda-replica")).toBeNull();
    } finally {
      await emulator.close();
    }
  });

  it("is generated when not given, differently for each replica", async () => {
    const [a, b] = [await startTestEmulator(), await startTestEmulator()];
    try {
      expect(a.replicaId).toMatch(/^r-[0-9a-f]{8}$/);
      expect(b.replicaId).not.toBe(a.replicaId);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it("refuses an id that could not be a header value or a log field", async () => {
    await expect(startTestEmulator({ replicaId: "two words" })).rejects.toThrow(
      /replica id is 1 to 63 letters/,
    );
  });
});
