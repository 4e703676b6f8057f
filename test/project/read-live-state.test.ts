import { describe, expect, it } from "vitest";
import { paginatePages } from "../../src/client/paginate.js";
import { actionsResource } from "../../src/client/resources/actions.js";
import type { Query } from "../../src/client/types.js";
import { ValidationError } from "../../src/errors.js";
import { readLiveState } from "../../src/project/read-live-state.js";

/** A fake list endpoint over `total` actions that logs every page request, under the real actions resource. */
function fakeClient(total: number, supported: string[]) {
  const log: string[] = [];
  const actions = Array.from({ length: total }, (_, i) => ({
    id: `id-${i}`,
    name: `action_${String(i).padStart(4, "0")}`,
    type: "SCRIPT",
    version: 1,
    script: { language: "JavaScript", content: "function main(c) { return c; }" },
    config: { headers: {}, dateProcessing: null },
    dependencies: [],
  }));
  const requester = {
    request: () => Promise.reject(new Error("the live read makes list requests only")),
    paginate<T>(path: string, query: Query = {}, options: { pageSize?: number } = {}): AsyncIterable<T> {
      return paginatePages<T>(async (page, pageSize) => {
        log.push(`GET ${path} page=${page} pageSize=${pageSize} expand=${query.expand ?? "-"}`);
        const asked = typeof query.expand === "string" ? query.expand.split(",") : [];
        if (asked.some((e) => !supported.includes(e))) {
          throw new ValidationError("expand has unknown value", { status: 400, slug: "validation-failed" });
        }
        const entities = actions.slice((page - 1) * pageSize, page * pageSize).map((a) => ({
          ...a,
          ...(asked.includes("variables") ? { variables: { variables: [] } } : {}),
          ...(asked.includes("environments") ? { environments: { dev: { variables: [] } } } : {}),
        }));
        return { entities: entities as T[], page, pageSize, total };
      }, options.pageSize);
    },
  };
  return { log, actions: actionsResource(requester) };
}

describe("readLiveState", () => {
  it.each([
    [0, 1],
    [100, 1],
    [101, 2],
    [250, 3],
  ])("reads %i actions in %i requests with expand and pageSize 100", async (n, requests) => {
    const client = fakeClient(n, ["variables", "environments"]);
    const { live, notes } = await readLiveState(client);
    expect(live.actions).toHaveLength(n);
    expect(notes).toEqual([]);
    expect(client.log).toHaveLength(requests);
    expect(client.log.every((l) => l.includes("pageSize=100 expand=variables,environments"))).toBe(true);
    expect(live.read).toEqual({ variables: true, overrides: true });
  });

  it("drops an expansion the server does not offer, says so, and marks it not read", async () => {
    const client = fakeClient(150, ["variables"]);
    const { live, notes } = await readLiveState(client);
    expect(client.log).toEqual([
      "GET /dataactions page=1 pageSize=100 expand=variables,environments",
      "GET /dataactions page=1 pageSize=100 expand=variables",
      "GET /dataactions page=2 pageSize=100 expand=variables",
    ]);
    expect(live.read).toEqual({ variables: true, overrides: false });
    expect(live.actions[0]!.overrides).toBeUndefined();
    expect(notes).toEqual(["the server does not expand environments: live overrides were not read"]);
  });
});
