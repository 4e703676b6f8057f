/**
 * R9: a second tenant's client tries every route on the first tenant's objects — only 404s; the first
 * tenant's objects are byte-for-byte unchanged; its Idempotency-Keys replay nothing across tenants.
 */
import { CxdaError } from "../../src/errors.js";
import { actionInput, type ChaosRun, chaosClient, exactly, type Figure, info } from "./harness.js";

/** Every route on an action, with a body where the route takes one. */
const PROBES: {
  method: string;
  path: (id: string) => string;
  body?: (v: number) => unknown;
  versioned?: boolean;
}[] = [
  { method: "GET", path: (id) => `/dataactions/${id}` },
  {
    method: "PUT",
    path: (id) => `/dataactions/${id}`,
    body: (v) => ({ ...actionInput("r9_taken"), version: v }),
  },
  {
    method: "PATCH",
    path: (id) => `/dataactions/${id}`,
    body: (v) => ({ description: "taken", version: v }),
  },
  { method: "DELETE", path: (id) => `/dataactions/${id}`, versioned: true },
  { method: "POST", path: (id) => `/dataactions/${id}/test`, body: () => ({ input: {} }) },
  { method: "GET", path: (id) => `/dataactions/${id}/variables` },
  { method: "PUT", path: (id) => `/dataactions/${id}/variables`, body: () => ({ variables: [] }) },
  { method: "POST", path: (id) => `/dataactions/${id}/variables/reencrypt` },
  { method: "GET", path: (id) => `/dataactions/${id}/environments/dev/variables` },
  {
    method: "PUT",
    path: (id) => `/dataactions/${id}/environments/dev/variables`,
    body: () => ({ variables: [] }),
  },
  {
    method: "PATCH",
    path: (id) => `/dataactions/${id}/environments/dev/variables`,
    body: () => ({ variables: [], remove: ["X"] }),
  },
  { method: "POST", path: (id) => `/dataactions/${id}/builds`, body: () => ({ environmentId: "dev" }) },
];

export async function runR9(run: ChaosRun): Promise<Figure[]> {
  const emulator = await run.emulator("r9");
  const owner = chaosClient(run, emulator, "raw");
  const rival = chaosClient(run, emulator, "rival");
  try {
    const key = "r9-shared-idempotency-key";
    const first = await owner.sdk.actions.create(actionInput("r9_owned_a"), { idempotencyKey: key });
    const second = await owner.sdk.actions.create({
      ...actionInput("r9_owned_b"),
      dependencies: ["r9_owned_a"],
    });
    const ids = [first.body.id, second.body.id];
    const before = await Promise.all(
      ids.map(async (id) => JSON.stringify((await owner.sdk.actions.get(id)).body)),
    );
    let probes = 0;
    const wrong: string[] = [];
    for (const [n, id] of ids.entries()) {
      for (const probe of PROBES) {
        probes += 1;
        const status = await rival.sdk
          .request(probe.method, probe.path(id), {
            ...(probe.body ? { body: probe.body(n + 1) } : {}),
            ...(probe.versioned ? { ifMatch: 1 } : {}),
          })
          .then((r) => r.status)
          .catch((e: unknown) => (e instanceof CxdaError ? (e.status ?? -1) : -1));
        if (status !== 404) wrong.push(`${probe.method} ${probe.path("{id}")} → ${status}`);
      }
    }
    // The owner's key in the rival's tenant is a fresh key: a new create there, never the owner's answer.
    const reused = await rival.sdk.actions.create(actionInput("r9_owned_a"), { idempotencyKey: key });
    const crossReplay = reused.replayed || reused.body.id === first.body.id ? 1 : 0;
    const rivalSees = (await rival.sdk.actions.listAll()).filter((a) => ids.includes(a.id)).length;
    const after = await Promise.all(
      ids.map(async (id) => JSON.stringify((await owner.sdk.actions.get(id)).body)),
    );
    const changed = after.filter((doc, i) => doc !== before[i]).length;
    const figures = [
      info("R9", "cross-tenant probes", probes),
      exactly("R9", "probes answered other than 404", wrong.length, 0),
      exactly("R9", "owner objects changed", changed, 0),
      exactly("R9", "owner objects in the rival's list", rivalSees, 0),
      exactly("R9", "idempotent replays across tenants", crossReplay, 0),
    ];
    for (const w of wrong.slice(0, 3)) figures.push(info("R9", "non-404 probe", w));
    return figures;
  } finally {
    await owner.close();
    await rival.close();
    await emulator.close();
  }
}
