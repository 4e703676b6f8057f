import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  checkDependencies,
  dependentsOf,
  findDependencyCycles,
  formatCycle,
  topologicalOrder,
  wouldCloseCycle,
} from "../../src/domain/dependency-graph.js";
import { ValidationError } from "../../src/errors.js";

type Graph = Record<string, string[]>;

function successors(graph: Graph, v: string): string[] {
  return Object.hasOwn(graph, v) ? graph[v]! : [];
}

/** Reference: every node reachable from `from` by one or more edges (plain BFS). */
function reachableFrom(graph: Graph, from: string): Set<string> {
  const seen = new Set<string>();
  const queue = [...successors(graph, from)];
  while (queue.length > 0) {
    const v = queue.shift()!;
    if (seen.has(v)) continue;
    seen.add(v);
    queue.push(...successors(graph, v));
  }
  return seen;
}

function allNodes(graph: Graph): string[] {
  return [...new Set([...Object.keys(graph), ...Object.values(graph).flat()])];
}

function expectClosedPath(graph: Graph, path: string[]): void {
  expect(path.length).toBeGreaterThanOrEqual(2);
  expect(path[path.length - 1]).toBe(path[0]);
  for (let i = 0; i + 1 < path.length; i++) expect(successors(graph, path[i]!)).toContain(path[i + 1]);
  // A simple cycle: no node repeated except the closing one.
  expect(new Set(path.slice(0, -1)).size).toBe(path.length - 1);
}

/** Random graphs over a few names, with edges to names that are not keys (leaves) now and then. */
const graphArb = fc
  .tuple(fc.integer({ min: 1, max: 9 }), fc.array(fc.tuple(fc.nat(11), fc.nat(11)), { maxLength: 30 }))
  .map(([keys, edges]) => {
    const graph: Graph = {};
    for (let i = 0; i < keys; i++) graph[`n${i}`] = [];
    for (const [from, to] of edges) if (from < keys) graph[`n${from}`]!.push(`n${to}`);
    return graph;
  });

describe("findDependencyCycles", () => {
  it.each<[string, Graph, string[][]]>([
    ["empty graph", {}, []],
    ["acyclic", { a: ["b", "c"], b: ["c"], c: [] }, []],
    ["edges to unknown nodes are leaves", { a: ["zzz"], b: ["zzz", "a"] }, []],
    ["self-loop", { a: ["a"] }, [["a", "a"]]],
    ["triangle", { a: ["b"], b: ["c"], c: ["a"] }, [["a", "b", "c", "a"]]],
    [
      "two separate cycles",
      { a: ["b"], b: ["a"], c: ["d"], d: ["e"], e: ["c"], f: ["a"] },
      [
        ["a", "b", "a"],
        ["c", "d", "e", "c"],
      ],
    ],
    ["starts at the first node of the part in graph order", { x: ["y"], y: ["x"] }, [["x", "y", "x"]]],
    [
      "prototype-like names are ordinary names",
      { __proto__x: [], constructor: ["toString"], toString: ["constructor"] },
      [["constructor", "toString", "constructor"]],
    ],
  ])("%s", (_label, graph, expected) => {
    expect(findDependencyCycles(graph)).toEqual(expected);
  });

  it("handles a node literally named __proto__", () => {
    const graph = JSON.parse('{"__proto__":["abc"],"abc":["__proto__"]}') as Graph;
    expect(findDependencyCycles(graph)).toEqual([["__proto__", "abc", "__proto__"]]);
  });

  it("agrees with reachability on random graphs, and every cycle is a real closed path", () => {
    fc.assert(
      fc.property(graphArb, (graph) => {
        const cycles = findDependencyCycles(graph);
        for (const cycle of cycles) expectClosedPath(graph, cycle);
        const onCycle = allNodes(graph).filter((v) => reachableFrom(graph, v).has(v));
        // One cycle per strongly connected part holding a cycle: cycles are node-disjoint, and every
        // node on some cycle shares its part (mutual reachability) with exactly one returned cycle.
        const covered = cycles.flatMap((c) => c.slice(0, -1));
        expect(new Set(covered).size).toBe(covered.length);
        for (const v of onCycle) {
          const reach = reachableFrom(graph, v);
          const parts = cycles.filter((c) => reach.has(c[0]!) && reachableFrom(graph, c[0]!).has(v));
          expect(parts).toHaveLength(1);
        }
        for (const v of covered) expect(onCycle).toContain(v);
      }),
      { numRuns: 500 },
    );
  });

  it("walks a 100 000-node chain and a 100 000-node ring without recursion", () => {
    const n = 100_000;
    const chain: Graph = {};
    const ring: Graph = {};
    for (let i = 0; i < n; i++) {
      chain[`a${i}`] = i + 1 < n ? [`a${i + 1}`] : [];
      ring[`a${i}`] = [`a${(i + 1) % n}`];
    }
    expect(findDependencyCycles(chain)).toEqual([]);
    const cycles = findDependencyCycles(ring);
    expect(cycles).toHaveLength(1);
    expect(cycles[0]).toHaveLength(n + 1);
    expect(cycles[0]!.slice(0, 3)).toEqual(["a0", "a1", "a2"]);
    expect(cycles[0]![n]).toBe("a0");
  });
});

describe("wouldCloseCycle", () => {
  it("finds the cycle a new edge closes through the whole graph, not only the new node's own edges", () => {
    const graph = { a: ["b"], b: ["c"], c: [] };
    expect(wouldCloseCycle(graph, "c", ["a"])).toEqual(["c", "a", "b", "c"]);
    expect(wouldCloseCycle(graph, "c", [])).toBeNull();
  });

  it("a brand-new node depending on itself closes a self-loop", () => {
    expect(wouldCloseCycle({}, "solo", ["solo"])).toEqual(["solo", "solo"]);
  });

  it("a brand-new node cannot close a cycle through others", () => {
    expect(wouldCloseCycle({ a: ["b"], b: [] }, "new", ["a", "b"])).toBeNull();
  });

  it("replaces the node's old edges instead of adding to them", () => {
    const graph = { a: ["b"], b: ["a"] };
    expect(wouldCloseCycle(graph, "b", [])).toBeNull();
  });

  it("agrees with reachability in the changed graph on random graphs", () => {
    fc.assert(
      fc.property(graphArb, fc.nat(11), fc.array(fc.nat(11), { maxLength: 4 }), (graph, node, deps) => {
        const name = `n${node}`;
        const newDeps = deps.map((d) => `n${d}`);
        const changed = { ...graph, [name]: newDeps };
        const path = wouldCloseCycle(graph, name, newDeps);
        if (reachableFrom(changed, name).has(name)) {
          expect(path).not.toBeNull();
          expectClosedPath(changed, path!);
          expect(path![0]).toBe(name);
        } else {
          expect(path).toBeNull();
        }
      }),
      { numRuns: 500 },
    );
  });

  it("closes a 100 000-node ring", () => {
    const n = 100_000;
    const chain: Graph = {};
    for (let i = 0; i < n; i++) chain[`a${i}`] = i + 1 < n ? [`a${i + 1}`] : [];
    const path = wouldCloseCycle(chain, `a${n - 1}`, ["a0"]);
    expect(path).toHaveLength(n + 1);
  });
});

describe("formatCycle and dependentsOf", () => {
  it("prints a cycle with arrows", () => {
    expect(formatCycle(["a", "b", "c", "a"])).toBe("a → b → c → a");
  });
  it("lists who depends on a name", () => {
    expect(dependentsOf({ a: ["b"], b: ["c"], c: [], d: ["b", "c"] }, "b")).toEqual(["a", "d"]);
    expect(dependentsOf({ a: ["a"] }, "a")).toEqual([]);
  });
});

describe("topologicalOrder", () => {
  it("puts dependencies first", () => {
    expect(topologicalOrder({ lead: ["base", "util"], base: ["util"], util: [] })).toEqual([
      "util",
      "base",
      "lead",
    ]);
  });

  it("includes dependencies that are not keys", () => {
    expect(topologicalOrder({ a: ["ext"] })).toEqual(["ext", "a"]);
  });

  it("throws a dependency-cycle ValidationError naming the cycle", () => {
    let thrown: unknown;
    try {
      topologicalOrder({ a: ["b"], b: ["a"], c: [] });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ValidationError);
    expect((thrown as ValidationError).slug).toBe("dependency-cycle");
    expect((thrown as ValidationError).message).toContain("a → b → a");
  });

  it("orders random acyclic graphs so every edge points backwards", () => {
    const dagArb = fc
      .tuple(fc.integer({ min: 1, max: 12 }), fc.array(fc.tuple(fc.nat(11), fc.nat(11)), { maxLength: 40 }))
      .map(([n, edges]) => {
        const graph: Graph = {};
        for (let i = n - 1; i >= 0; i--) graph[`v${i}`] = [];
        for (const [x, y] of edges) {
          const [from, to] = [Math.max(x % n, y % n), Math.min(x % n, y % n)];
          if (from > to) graph[`v${from}`]!.push(`v${to}`);
        }
        return graph;
      });
    fc.assert(
      fc.property(dagArb, (graph) => {
        const order = topologicalOrder(graph);
        expect([...order].sort()).toEqual(allNodes(graph).sort());
        const position = new Map(order.map((v, i) => [v, i]));
        for (const [from, deps] of Object.entries(graph)) {
          for (const dep of deps) expect(position.get(dep)!).toBeLessThan(position.get(from)!);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("orders a 100 000-node chain", () => {
    const n = 100_000;
    const chain: Graph = {};
    for (let i = 0; i < n; i++) chain[`a${i}`] = i + 1 < n ? [`a${i + 1}`] : [];
    const order = topologicalOrder(chain);
    expect(order[0]).toBe(`a${n - 1}`);
    expect(order[n - 1]).toBe("a0");
  });
});

describe("checkDependencies", () => {
  const graph = { a: [], b: ["a"], c: ["b"] };
  it.each([
    { name: "new", deps: [], issues: [] },
    { name: "new", deps: ["a", "c"], issues: [] },
    { name: "new", deps: ["new"], issues: [["dependencies", "dependency-cycle", "new → new"]] },
    { name: "a", deps: ["c"], issues: [["dependencies", "dependency-cycle", "a → c → b → a"]] },
    {
      name: "new",
      deps: ["a", "ghost", "phantom"],
      issues: [
        ["dependencies[1]", "unknown-dependency", 'no action named "ghost"'],
        ["dependencies[2]", "unknown-dependency", 'no action named "phantom"'],
      ],
    },
    // Unknown names first: the cycle is only looked for once every name exists.
    { name: "a", deps: ["a", "ghost"], issues: [["dependencies[1]", "unknown-dependency", '"ghost"']] },
  ])("$name → $deps", ({ name, deps, issues }) => {
    const { [name]: _own, ...others } = graph as Record<string, string[]>;
    const found = checkDependencies(others, name, deps);
    expect(found.map((i) => [i.path, i.code])).toEqual(issues.map(([path, code]) => [path, code]));
    found.forEach((i, n) => {
      expect(i.message).toContain(issues[n]![2]);
      expect(i.message.startsWith(`${i.path}: `)).toBe(true);
    });
  });
});
