// The dependency graph, laid out by dagre (a layered layout for directed graphs) and drawn as SVG.
// An arrow goes from a dependency to the action that uses it. Large tenants are shown a neighbourhood
// at a time: search, then focus an action.
import dagre from "/vendor/dagre.js";
import { html, useMemo } from "../lib.js";
import { hrefOf, replaceRoute } from "../router.js";

const SHOW_ALL_UP_TO = 150;
const MAX_NODES = 300;
const NODE_HEIGHT = 28;

/** Every action that uses `name`, directly or through others. */
export function transitiveDependents(model, name) {
  const seen = new Set();
  const stack = [...(model.byName.get(name)?.dependents ?? [])];
  while (stack.length > 0) {
    const next = stack.pop();
    if (seen.has(next) || next === name) continue;
    seen.add(next);
    stack.push(...(model.byName.get(next)?.dependents ?? []));
  }
  return seen;
}

function neighbourhood(model, start, depth) {
  const seen = new Set(start);
  let frontier = [...start];
  for (let d = 0; d < depth && seen.size < MAX_NODES; d++) {
    const next = [];
    for (const name of frontier) {
      const a = model.byName.get(name);
      for (const n of [...(a?.dependencies ?? []), ...(a?.dependents ?? [])])
        if (!seen.has(n) && model.byName.has(n)) {
          seen.add(n);
          next.push(n);
        }
    }
    frontier = next;
  }
  return seen;
}

function layout(model, names) {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: "LR", nodesep: 14, ranksep: 56, marginx: 8, marginy: 8 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const name of names) g.setNode(name, { width: 16 + name.length * 7.2, height: NODE_HEIGHT });
  const edges = [];
  for (const name of names)
    for (const dep of model.byName.get(name).dependencies)
      if (names.has(dep)) {
        g.setEdge(dep, name);
        edges.push([dep, name]);
      }
  dagre.layout(g);
  const nodes = [...names].map((name) => ({ name, ...g.node(name) }));
  return {
    nodes,
    edges: edges.map(([from, to]) => ({ from, to, points: g.edge(from, to).points })),
    size: g.graph(),
  };
}

export function GraphView({ model, params }) {
  const q = params.q ?? "";
  const focus = model.byName.has(params.focus) ? params.focus : undefined;
  const depth = Math.min(Math.max(Number(params.depth ?? 2) || 2, 1), 5);
  const set = (change) => replaceRoute("graph", undefined, { ...params, ...change });

  const shown = useMemo(() => {
    // The focused action's neighbourhood, and everything that uses it however far away.
    if (focus)
      return new Set([...neighbourhood(model, [focus], depth), ...transitiveDependents(model, focus)]);
    const needle = q.toLowerCase();
    if (needle) {
      const hits = model.actions.filter((a) => a.name.toLowerCase().includes(needle)).slice(0, 80);
      return neighbourhood(
        model,
        hits.map((a) => a.name),
        1,
      );
    }
    return model.actions.length <= SHOW_ALL_UP_TO ? new Set(model.actions.map((a) => a.name)) : new Set();
  }, [model, focus, depth, q]);

  const names = useMemo(() => new Set([...shown].slice(0, MAX_NODES)), [shown]);
  const drawn = useMemo(() => (names.size > 0 ? layout(model, names) : undefined), [model, names]);
  const dependents = useMemo(() => (focus ? transitiveDependents(model, focus) : new Set()), [model, focus]);
  const cycleEdges = useMemo(() => {
    const set = new Set();
    for (const path of model.cycles)
      for (let i = 0; i + 1 < path.length; i++) set.add(`${path[i + 1]}>${path[i]}`);
    return set;
  }, [model]);

  const pick = (name) => set({ focus: name });
  const suggestions = model.actions
    .filter((a) => !q || a.name.toLowerCase().includes(q.toLowerCase()))
    .sort((x, y) => y.dependents.length - x.dependents.length)
    .slice(0, 12);
  const edgePath = (points) => `M${points.map((p) => `${p.x.toFixed(1)},${p.y.toFixed(1)}`).join("L")}`;

  return html`
    <h1>Dependencies</h1>
    <form class="filters" role="search" onSubmit=${(e) => e.preventDefault()}>
      <label>Search <input data-search type="search" value=${q} placeholder="action name" onInput=${(e) => set({ q: e.currentTarget.value, focus: undefined })} /></label>
      <label>Focus
        <select value=${focus ?? ""} onChange=${(e) => set({ focus: e.currentTarget.value })}>
          <option value="">none</option>
          ${model.actions.slice(0, 2000).map((a) => html`<option value=${a.name}>${a.name}</option>`)}
        </select>
      </label>
      <label>Depth
        <select value=${String(depth)} onChange=${(e) => set({ depth: e.currentTarget.value })}>
          ${[1, 2, 3, 4, 5].map((d) => html`<option value=${String(d)}>${d}</option>`)}
        </select>
      </label>
    </form>
    <ul class="legend" aria-label="Legend">
      <li><span class="swatch node-selected"></span>selected</li>
      <li><span class="swatch node-dependent"></span>uses the selected action</li>
      <li><span class="swatch node-cycle"></span>in a dependency cycle</li>
      <li>arrow: from a dependency to the action that uses it</li>
    </ul>
    ${
      model.cycles.length > 0
        ? html`<p class="error">${model.cycles.length} dependency cycle(s): ${model.cycles.map((c) => c.join(" → ")).join("; ")}</p>`
        : ""
    }
    <p class="count">
      ${
        drawn
          ? `${names.size} of ${model.actions.length} actions shown${shown.size > names.size ? ` (the first ${MAX_NODES})` : ""}`
          : `${model.actions.length} actions: search or pick one to focus on its neighbourhood`
      }
      ${focus ? html` · <a href=${hrefOf("action", focus)}>open ${focus}</a> · ${dependents.size} action(s) use it` : ""}
    </p>
    ${
      !drawn
        ? html`<ul class="suggestions">${suggestions.map((a) => html`<li><button type="button" class="suggestion" onClick=${() => pick(a.name)}>${a.name}</button> <span class="muted">used by ${a.dependents.length}</span></li>`)}</ul>`
        : html`<div class="scroll graph-box">
          <svg class="graph" role="group" aria-label="Dependency graph" width=${Math.ceil(drawn.size.width)} height=${Math.ceil(drawn.size.height)}
            viewBox=${`0 0 ${Math.ceil(drawn.size.width)} ${Math.ceil(drawn.size.height)}`}>
            <defs>
              <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                <path d="M0,0L10,5L0,10z" class="arrowhead" />
              </marker>
            </defs>
            ${drawn.edges.map((e) => {
              const cls = [
                "edge",
                cycleEdges.has(`${e.from}>${e.to}`) ? "edge-cycle" : "",
                e.from === focus || dependents.has(e.from)
                  ? dependents.has(e.to)
                    ? "edge-dependent"
                    : ""
                  : "",
              ];
              return html`<path class=${cls.join(" ").trim()} data-from=${e.from} data-to=${e.to} d=${edgePath(e.points)} marker-end="url(#arrow)" />`;
            })}
            ${drawn.nodes.map((n) => {
              const cls = [
                "node",
                n.name === focus ? "node-selected" : "",
                dependents.has(n.name) ? "node-dependent" : "",
                model.inCycle.has(n.name) ? "node-cycle" : "",
              ];
              return html`<g class=${cls.join(" ").replace(/\s+/g, " ").trim()} data-name=${n.name} transform=${`translate(${(n.x - n.width / 2).toFixed(1)},${(n.y - n.height / 2).toFixed(1)})`}
                  tabindex="0" role="button" aria-label=${`${n.name}${dependents.has(n.name) ? ", uses the selected action" : ""}${model.inCycle.has(n.name) ? ", in a cycle" : ""}`}
                  onClick=${() => pick(n.name)} onKeyDown=${(e) => {
                    if (e.key === "Enter" || e.key === " ") {
                      e.preventDefault();
                      pick(n.name);
                    }
                  }}>
                <rect width=${n.width} height=${n.height} rx="5" />
                <text x="8" y=${NODE_HEIGHT / 2 + 4}>${n.name}</text>
              </g>`;
            })}
          </svg>
        </div>`
    }
  `;
}
