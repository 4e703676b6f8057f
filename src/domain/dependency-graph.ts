/**
 * The action dependency graph: `graph[a]` lists the names `a` depends on. Edges to names
 * that are not keys are allowed and treated as leaves. Every function here is iterative (no recursion
 * depth limit) and linear in nodes plus edges, so a 100 000-node chain is fine.
 */
import { ValidationError } from "../errors.js";
import { issue, type ValidationIssue } from "./validation-result.js";

export type DependencyGraph = Record<string, readonly string[]>;

/** Nodes numbered in first-appearance order (keys first, then unknown targets), with their edges. */
interface IndexedGraph {
  names: string[];
  edges: number[][];
}

function indexGraph(graph: DependencyGraph): IndexedGraph {
  const ids = new Map<string, number>();
  const names: string[] = [];
  const edges: number[][] = [];
  const idOf = (name: string): number => {
    let id = ids.get(name);
    if (id === undefined) {
      id = names.length;
      ids.set(name, id);
      names.push(name);
      edges.push([]);
    }
    return id;
  };
  const keys = Object.keys(graph);
  for (const key of keys) idOf(key);
  for (const key of keys) {
    const deps = graph[key];
    if (!Array.isArray(deps)) continue;
    const from = idOf(key);
    for (const dep of deps) if (typeof dep === "string") edges[from]!.push(idOf(dep));
  }
  return { names, edges };
}

/** Strongly connected components by an iterative Tarjan; `component[v]` is v's component number. */
function stronglyConnected(edges: number[][]): { component: Int32Array; count: number } {
  const n = edges.length;
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const nextEdge = new Int32Array(n);
  const component = new Int32Array(n).fill(-1);
  const stack: number[] = [];
  const calls: number[] = [];
  let counter = 0;
  let count = 0;
  for (let root = 0; root < n; root++) {
    if (index[root] !== -1) continue;
    index[root] = low[root] = counter++;
    stack.push(root);
    onStack[root] = 1;
    calls.push(root);
    while (calls.length > 0) {
      const v = calls[calls.length - 1]!;
      const out = edges[v]!;
      if (nextEdge[v]! < out.length) {
        const w = out[nextEdge[v]!++]!;
        if (index[w] === -1) {
          index[w] = low[w] = counter++;
          stack.push(w);
          onStack[w] = 1;
          calls.push(w);
        } else if (onStack[w]) {
          low[v] = Math.min(low[v]!, index[w]!);
        }
        continue;
      }
      calls.pop();
      if (low[v] === index[v]) {
        let w: number;
        do {
          w = stack.pop()!;
          onStack[w] = 0;
          component[w] = count;
        } while (w !== v);
        count++;
      }
      if (calls.length > 0) {
        const parent = calls[calls.length - 1]!;
        low[parent] = Math.min(low[parent]!, low[v]!);
      }
    }
  }
  return { component, count };
}

/**
 * Shortest closed path start → … → start inside one component (breadth-first), or null when there is
 * none. `parent` is scratch space shared between calls: entries touched are reset before returning.
 */
function closedPathFrom(
  start: number,
  edges: number[][],
  allowed: (v: number) => boolean,
  parent: Int32Array,
): number[] | null {
  const queue = [start];
  const touched: number[] = [];
  let found: number[] | null = null;
  for (let head = 0; head < queue.length && found === null; head++) {
    const u = queue[head]!;
    for (const w of edges[u]!) {
      if (w === start) {
        const back: number[] = [];
        for (let x = u; x !== start; x = parent[x]!) back.push(x);
        found = [start, ...back.reverse(), start];
        break;
      }
      if (parent[w] === -1 && allowed(w)) {
        parent[w] = u;
        touched.push(w);
        queue.push(w);
      }
    }
  }
  for (const v of touched) parent[v] = -1;
  return found;
}

/**
 * Every strongly connected part of the graph that holds a cycle (self-loops included), each as one real
 * closed path of node names whose first name is repeated at the end (`["a","b","c","a"]`, a self-loop
 * is `["a","a"]`), so `formatCycle` prints `a → b → c → a`. Each path starts at the component's node
 * that appears first in the graph; paths are ordered by that node. Empty when the graph is acyclic.
 */
export function findDependencyCycles(graph: DependencyGraph): string[][] {
  const { names, edges } = indexGraph(graph);
  const { component } = stronglyConnected(edges);
  const sizes = new Map<number, number>();
  const starts: number[] = [];
  for (let v = 0; v < names.length; v++) {
    const c = component[v]!;
    const size = sizes.get(c);
    if (size === undefined) starts.push(v);
    sizes.set(c, (size ?? 0) + 1);
  }
  const parent = new Int32Array(names.length).fill(-1);
  const cycles: string[][] = [];
  for (const start of starts) {
    const c = component[start]!;
    if (sizes.get(c) === 1 && !edges[start]!.includes(start)) continue;
    const path = closedPathFrom(start, edges, (v) => component[v] === c, parent);
    if (path) cycles.push(path.map((v) => names[v]!));
  }
  return cycles;
}

/**
 * The cycle that giving `name` the dependencies `newDeps` would close, searched over the WHOLE graph
 * (the new node's own edges alone cannot show it): `[name, …, name]`, or null when none.
 * Any new cycle must pass through `name`, because only its edges change.
 */
export function wouldCloseCycle(
  graph: DependencyGraph,
  name: string,
  newDeps: readonly string[],
): string[] | null {
  // Breadth-first from `name` over the changed graph, touching only what `name` reaches.
  const successors = (v: string): readonly string[] => {
    if (v === name) return newDeps;
    const deps = Object.hasOwn(graph, v) ? graph[v] : undefined;
    return Array.isArray(deps) ? deps : [];
  };
  const parent = new Map<string, string>();
  const queue = [name];
  for (let head = 0; head < queue.length; head++) {
    const u = queue[head]!;
    for (const w of successors(u)) {
      if (w === name) {
        const back: string[] = [];
        for (let x = u; x !== name; x = parent.get(x)!) back.push(x);
        return [name, ...back.reverse(), name];
      }
      if (typeof w === "string" && !parent.has(w)) {
        parent.set(w, u);
        queue.push(w);
      }
    }
  }
  return null;
}

/** `["a","b","a"]` → `"a → b → a"` (the form of a `dependency-cycle` problem's detail). */
export function formatCycle(path: readonly string[]): string {
  return path.join(" → ");
}

/** Names whose dependency lists contain `name` (for 409 `has-dependents` on DELETE), in graph order. */
export function dependentsOf(graph: DependencyGraph, name: string): string[] {
  return Object.keys(graph).filter((key) => key !== name && graph[key]?.includes(name) === true);
}

/**
 * Every node, dependencies before the actions that need them (Kahn's algorithm; ties keep graph
 * order). Throws a `ValidationError` (slug `dependency-cycle`) naming a cycle when there is one.
 */
export function topologicalOrder(graph: DependencyGraph): string[] {
  const { names, edges } = indexGraph(graph);
  const pending = new Int32Array(names.length);
  const dependents: number[][] = names.map(() => []);
  edges.forEach((out, v) => {
    pending[v] = out.length;
    for (const w of out) dependents[w]!.push(v);
  });
  const order: number[] = [];
  for (let v = 0; v < names.length; v++) if (pending[v] === 0) order.push(v);
  for (let head = 0; head < order.length; head++) {
    for (const v of dependents[order[head]!]!) {
      pending[v]!--;
      if (pending[v] === 0) order.push(v);
    }
  }
  if (order.length < names.length) {
    const cycle = findDependencyCycles(graph)[0] ?? [];
    throw new ValidationError(`dependencies form a cycle (${formatCycle(cycle)}); remove one of its edges`, {
      slug: "dependency-cycle",
      issues: [
        {
          path: "dependencies",
          code: "dependency-cycle",
          message: `dependencies form a cycle: ${formatCycle(cycle)}`,
        },
      ],
    });
  }
  return order.map((v) => names[v]!);
}

/**
 * The rule for an action's `dependencies` against its tenant's graph (without the action's own entry):
 * every name exists (or is the action itself), and no cycle closes through the action. Unknown names are
 * reported first, one issue each; the cycle is checked only when every name exists.
 */
export function checkDependencies(
  graph: DependencyGraph,
  name: string,
  deps: readonly string[],
): ValidationIssue[] {
  const missing: ValidationIssue[] = [];
  deps.forEach((dep, i) => {
    if (!Object.hasOwn(graph, dep) && dep !== name)
      missing.push(
        issue(
          `dependencies[${i}]`,
          "unknown-dependency",
          `dependencies[${i}]: no action named ${JSON.stringify(dep)} exists in this tenant; create it first or remove it`,
        ),
      );
  });
  if (missing.length > 0) return missing;
  const cycle = wouldCloseCycle(graph, name, deps);
  if (!cycle) return [];
  return [
    issue(
      "dependencies",
      "dependency-cycle",
      `dependencies: this change would close the cycle ${formatCycle(cycle)}; remove one of its dependencies`,
    ),
  ];
}
