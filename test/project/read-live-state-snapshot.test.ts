/**
 * readLiveState and diffTenant over real HTTP, on both paths: the snapshot (advertised by default) and
 * the paged per-resource reads (emulator started with disableCapabilities: ["snapshot"]).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_TENANT_ID } from "../../src/emulator/server.js";
import { createClient } from "../../src/index.js";
import { readLiveState } from "../../src/project/read-live-state.js";
import { diffTenant } from "../../src/workflows/drift.js";
import {
  api,
  type Body,
  type Emulator,
  getToken,
  startTestEmulator,
  UNTHROTTLED,
} from "../emulator/helpers.js";

const auth = { type: "clientCredentials", clientId: "cxda-demo", clientSecret: "cxda-demo-secret" } as const;
const ACTIONS = 7;

async function seed(emulator: Emulator): Promise<void> {
  const token = await getToken(emulator);
  for (let i = 0; i < ACTIONS; i++) {
    const created = await api(emulator, "POST", "/api/v2/dataactions", {
      token,
      body: {
        name: `live_${i}`,
        type: "SCRIPT",
        script: { language: "JavaScript", content: "function main(c) { return c; }" },
        config: { headers: { Accept: "application/json" } },
      },
    });
    const id = created.body.id as string;
    await api(emulator, "PUT", `/api/v2/dataactions/${id}/variables`, {
      token,
      body: {
        variables: [
          { name: "plain", type: "string", value: `v${i}`, encrypted: false, scope: "action" },
          { name: "secret", type: "string", value: `sk-live-${i}-secret`, encrypted: true, scope: "action" },
        ],
      },
    });
    for (const env of ["staging", "prod"])
      await api(emulator, "PUT", `/api/v2/dataactions/${id}/environments/${env}/variables`, {
        token,
        body: {
          variables: [
            { name: "REGION", value: env === "prod" && i % 2 === 0 ? "us" : "eu" },
            { name: "TOKEN", value: `masked-${i}-value`, masked: true },
          ],
        },
      });
  }
}

/** The API requests a fresh client made (token included), oldest first, as "METHOD path". */
async function requestsSince(emulator: Emulator, seq: number): Promise<string[]> {
  const log = (await api(emulator, "GET", "/_emulator/requests")).body.requests as Body[];
  return log.filter((r) => r.seq > seq).map((r) => `${r.method} ${r.path}`);
}

async function lastSeq(emulator: Emulator): Promise<number> {
  const log = (await api(emulator, "GET", "/_emulator/requests")).body.requests as Body[];
  return log.at(-1)?.seq ?? 0;
}

describe("reading a whole tenant with and without the snapshot capability", () => {
  let withSnapshot: Emulator;
  let without: Emulator;
  beforeAll(async () => {
    withSnapshot = await startTestEmulator(UNTHROTTLED);
    without = await startTestEmulator({ ...UNTHROTTLED, disableCapabilities: ["snapshot"] });
    await seed(withSnapshot);
    await seed(without);
  });
  afterAll(async () => {
    await withSnapshot.close();
    await without.close();
  });

  async function read(emulator: Emulator) {
    const seq = await lastSeq(emulator);
    // With tokenUrl given, getting a token is one request (no OAuth discovery).
    const cxda = createClient({ baseUrl: emulator.url, tokenUrl: `${emulator.url}/oauth2/token`, auth });
    const client = cxda.context.client;
    try {
      const live = await readLiveState(client);
      const drift = await diffTenant({ client }, "staging", "prod");
      const requests = await requestsSince(emulator, seq);
      // The paged read of the same tenant, for a client that cannot ask for the snapshot.
      const paged = await readLiveState({ actions: client.actions });
      return { live, drift, requests, paged };
    } finally {
      await cxda.close();
    }
  }

  it("reads the same live state and drift on both paths, the snapshot in at most 3 requests", async () => {
    const fast = await read(withSnapshot);
    const slow = await read(without);
    // Two emulators: ids and fingerprints (per-tenant keys) differ, everything else is equal.
    const strip = (state: typeof fast.live.live) =>
      JSON.parse(
        JSON.stringify(
          state.actions.map(({ id: _id, ...rest }) => rest),
          (k, v) => (k === "fingerprint" ? undefined : v),
        ),
      );
    // On one emulator, the snapshot and the paged read give exactly the same live state; only the
    // snapshot knows the tenant revision it was read at (a saved plan's baseRevision).
    const { revision, ...snapshotState } = fast.live.live;
    expect(revision).toBe(withSnapshot.store.revision(DEMO_TENANT_ID));
    expect(fast.paged.live.revision).toBeUndefined();
    expect(snapshotState).toEqual(fast.paged.live);
    expect(fast.live.notes).toEqual([]);
    expect(fast.live.live.actions).toHaveLength(ACTIONS);
    expect(strip(fast.live.live)).toEqual(strip(slow.live.live));
    expect(fast.live.live.read).toEqual(slow.live.live.read);
    expect(fast.live.live.actions[0]!.variables?.find((v) => v.name === "secret")?.value).toBeNull();
    const driftOf = (d: typeof fast.drift) => ({
      ...d,
      actions: d.actions.map(({ action, ...rest }) => ({ name: action.name, ...rest })),
    });
    expect(driftOf(fast.drift)).toEqual(driftOf(slow.drift));
    expect(fast.drift.summary.driftingCount).toBe(Math.ceil(ACTIONS / 2));

    const liveReads = fast.requests.slice(0, fast.requests.indexOf("GET /api/v2/snapshot") + 1);
    expect(liveReads.filter((r) => r.startsWith("GET /api/v2") || r.includes("token"))).toEqual(liveReads);
    expect(liveReads).toEqual(["POST /oauth2/token", "GET /api/v2", "GET /api/v2/snapshot"]);
    expect(liveReads).toContain("GET /api/v2");
    expect(fast.requests.filter((r) => r.includes("/dataactions"))).toEqual([]);
    // The fallback pages through the list and never asks for the snapshot.
    expect(slow.requests).toContain("GET /api/v2");
    expect(slow.requests.some((r) => r.startsWith("GET /api/v2/dataactions"))).toBe(true);
    expect(slow.requests).not.toContain("GET /api/v2/snapshot");
  });
});
