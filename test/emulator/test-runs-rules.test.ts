/**
 * The emulator rules issue 4 relies on, in the cases actions-crud.test.ts leaves out: a cycle closed by
 * PUT, syntax errors on PUT and PATCH, a script without `main`, and a test run of a script that the
 * rules accepted but that fails at run time.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  api,
  createAction,
  type Emulator,
  getToken,
  scriptAction,
  slug,
  startTestEmulator,
} from "./helpers.js";

let emulator: Emulator;
let token: string;
const path = (id: string) => `/api/v2/dataactions/${id}`;

beforeAll(async () => {
  emulator = await startTestEmulator({ rateLimit: { perMinute: 1_000_000, burst: 10_000 } });
  token = await getToken(emulator);
});
afterAll(async () => {
  await emulator.close();
});

describe("action rules around test runs", () => {
  it("a PUT that closes a cycle through three actions is refused with the cycle's path", async () => {
    const a = await createAction(emulator, token, scriptAction("put_cycle_a"));
    await createAction(emulator, token, scriptAction("put_cycle_b", { dependencies: ["put_cycle_a"] }));
    await createAction(emulator, token, scriptAction("put_cycle_c", { dependencies: ["put_cycle_b"] }));
    const res = await api(emulator, "PUT", path(a.id), {
      token,
      body: scriptAction("put_cycle_a", { dependencies: ["put_cycle_c"], version: 1 }),
    });
    expect(res.status).toBe(400);
    expect(slug(res)).toBe("dependency-cycle");
    expect(res.body.detail).toContain("put_cycle_a → put_cycle_c → put_cycle_b → put_cycle_a");
    const unchanged = await api(emulator, "GET", path(a.id), { token });
    expect(unchanged.body.dependencies).toEqual([]);
  });

  it.each([
    ["PUT", "function main() {\n  return 1 +;\n}"],
    ["PATCH", "function main() {\n\n  let = ;\n}"],
  ])("a syntax error sent by %s is a 400 script-syntax with its line", async (method, content) => {
    const created = await createAction(emulator, token, scriptAction(`syntax_${method.toLowerCase()}`));
    const body =
      method === "PUT"
        ? scriptAction(created.name, { script: { language: "JavaScript", content } })
        : { script: { language: "JavaScript", content } };
    const res = await api(emulator, method, path(created.id), { token, body });
    expect(res.status).toBe(400);
    expect(slug(res)).toBe("script-syntax");
    expect(res.body.errors[0]).toMatchObject({ path: "script.content", line: method === "PUT" ? 2 : 3 });
  });

  it("a script without a top-level main is refused, naming the fix", async () => {
    const res = await api(emulator, "POST", "/api/v2/dataactions", {
      token,
      body: scriptAction("no_main", {
        script: { language: "JavaScript", content: "function handler(c) { return c; }" },
      }),
    });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].path).toBe("script.content");
    expect(res.body.errors[0].message).toMatch(/main/);
  });

  it("output that is not JSON data is a FAILURE saying so", async () => {
    const action = await createAction(
      emulator,
      token,
      scriptAction("not_json_output", {
        script: {
          language: "JavaScript",
          content: "function main() { return { f: function () {}, n: 1n }; }",
        },
      }),
    );
    const res = await api(emulator, "POST", `${path(action.id)}/test`, { token, body: { input: null } });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe("FAILURE");
    expect(res.body.error).toMatch(/JSON/);
  });
});
