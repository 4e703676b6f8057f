/** `GET /api/v2/snapshot`: the tenant as NDJSON, equal to what the per-resource endpoints answer. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  api,
  type Body,
  createAction,
  type Emulator,
  getToken,
  scriptAction,
  startTestEmulator,
  UNTHROTTLED,
} from "./helpers.js";

let emulator: Emulator;
let token: string;
beforeAll(async () => {
  emulator = await startTestEmulator(UNTHROTTLED);
  token = await getToken(emulator);
});
afterAll(() => emulator.close());
beforeEach(async () => {
  await api(emulator, "POST", "/_emulator/reset");
});

function lines(text: string): Body[] {
  expect(text.endsWith("\n")).toBe(true);
  return text
    .trimEnd()
    .split("\n")
    .map((l) => JSON.parse(l));
}

async function seed(): Promise<Body[]> {
  const a = await createAction(
    emulator,
    token,
    scriptAction("snap_a", {
      config: { headers: { Authorization: "Bearer sk-live-header-secret-1", Accept: "application/json" } },
    }),
  );
  const b = await createAction(emulator, token, scriptAction("snap_b", { dependencies: ["snap_a"] }));
  const c = await createAction(emulator, token, scriptAction("snap_c"));
  const put = (path: string, body: unknown) => api(emulator, "PUT", path, { token, body });
  await put(`/api/v2/dataactions/${a.id}/variables`, {
    variables: [
      { name: "baseUrl", type: "string", value: "https://x.test", encrypted: false, scope: "action" },
      { name: "apiKey", type: "string", value: "sk-live-var-secret-1", encrypted: true, scope: "action" },
    ],
  });
  await put(`/api/v2/dataactions/${a.id}/environments/prod/variables`, {
    variables: [
      { name: "TOKEN", value: "masked-override-1", masked: true },
      { name: "REGION", value: "eu" },
    ],
  });
  await put(`/api/v2/dataactions/${b.id}/environments/dev/variables`, {
    variables: [{ name: "X", value: "1" }],
  });
  await put("/api/v2/variables", {
    variables: [{ name: "tenantName", type: "string", value: "acme", encrypted: false, scope: "global" }],
  });
  return [a, b, c];
}

describe("GET /api/v2/snapshot", () => {
  it("streams header, one line per action, globals and end, each equal to the per-resource reads", async () => {
    const actions = await seed();
    const res = await api(emulator, "GET", "/api/v2/snapshot", { token });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/x-ndjson/);
    const revision = Number(res.headers.get("x-tenant-revision"));
    expect(res.headers.get("etag")).toBe(`"${revision}"`);
    const [header, ...rest] = lines(res.text);
    const environments = (await api(emulator, "GET", "/api/v2/environments", { token })).body;
    expect(header).toEqual({ kind: "header", revision, environments });
    expect(rest.at(-1)).toEqual({ kind: "end", actions: 3 });
    expect(rest.at(-2)).toEqual({
      kind: "globals",
      variables: (await api(emulator, "GET", "/api/v2/variables", { token })).body,
    });
    const actionLines = rest.slice(0, -2);
    expect(actionLines.map((l) => l.action.name)).toEqual(actions.map((a) => a.name));
    for (const line of actionLines) {
      const id = line.action.id as string;
      expect(line.kind).toBe("action");
      expect(line.action).toEqual((await api(emulator, "GET", `/api/v2/dataactions/${id}`, { token })).body);
      const { actionId: _, ...variables } = (
        await api(emulator, "GET", `/api/v2/dataactions/${id}/variables`, { token })
      ).body;
      expect(line.variables).toEqual(variables);
      expect(Object.keys(line.overrides)).toEqual(environments.map((e: Body) => e.id));
      for (const env of environments) {
        const { version, variables: items } = (
          await api(emulator, "GET", `/api/v2/dataactions/${id}/environments/${env.id}/variables`, { token })
        ).body;
        expect(line.overrides[env.id]).toEqual({ version, variables: items });
      }
    }
    // Header values come back as GET answers them (docs/api.md); secret variables and masked overrides never.
    for (const secret of ["sk-live-var-secret-1", "masked-override-1"])
      expect(res.text).not.toContain(secret);
    expect(res.text).toContain('"***"');
  });

  it("answers 304 to If-None-Match with the current revision, and 200 once a write moved it", async () => {
    await seed();
    const first = await api(emulator, "GET", "/api/v2/snapshot", { token });
    const etag = first.headers.get("etag")!;
    const again = await api(emulator, "GET", "/api/v2/snapshot", {
      token,
      headers: { "if-none-match": etag },
    });
    expect(again.status).toBe(304);
    expect(again.text).toBe("");
    expect(again.headers.get("etag")).toBe(etag);
    await createAction(emulator, token, scriptAction("snap_d"));
    const changed = await api(emulator, "GET", "/api/v2/snapshot", {
      token,
      headers: { "if-none-match": etag },
    });
    expect(changed.status).toBe(200);
    expect(changed.headers.get("etag")).toBe(`"${Number(etag.replaceAll('"', "")) + 1}"`);
    expect(lines(changed.text).at(-1)).toEqual({ kind: "end", actions: 4 });
  });

  it("streams an empty tenant as header, globals and end, and needs a token", async () => {
    const res = await api(emulator, "GET", "/api/v2/snapshot", { token });
    expect(lines(res.text).map((l) => l.kind)).toEqual(["header", "globals", "end"]);
    expect((await api(emulator, "GET", "/api/v2/snapshot")).status).toBe(401);
  });
});
