import { loadLastDeployments } from "../api.js";
import { driftingEnvironments } from "../drift.js";
import { html, useEffect, useMemo, useState } from "../lib.js";
import { hrefOf, replaceRoute } from "../router.js";
import { iso, when } from "./deployments.js";

/** Every action that `name` reaches through its dependencies, transitively. */
export function transitiveDependencies(model, name) {
  const seen = new Set();
  const stack = [...(model.byName.get(name)?.dependencies ?? [])];
  while (stack.length > 0) {
    const next = stack.pop();
    if (seen.has(next)) continue;
    seen.add(next);
    stack.push(...(model.byName.get(next)?.dependencies ?? []));
  }
  return seen;
}

function lastCell(last, actionId) {
  if (last === undefined) return html`<span class="muted">…</span>`;
  const d = last.get(actionId);
  if (d === undefined) return html`<span class="muted">none kept</span>`;
  return html`<a href=${hrefOf("deployments", d.deploymentId)}><time datetime=${iso(d.createdTimestamp)}>${when(d.createdTimestamp)}</time></a>`;
}

export function ActionsView({ model, params }) {
  const q = params.q ?? "";
  const type = params.type ?? "";
  const drift = params.drift ?? "";
  const uses = params.uses ?? "";
  const baseline = model.environments.some((e) => e.id === params.baseline)
    ? params.baseline
    : model.environments[0]?.id;
  const set = (change) => replaceRoute("actions", undefined, { ...params, ...change });
  const types = useMemo(() => [...new Set(model.actions.map((a) => a.type))].sort(), [model]);
  // The last deployment of each action comes after the list (a server without deployments leaves it empty).
  const [last, setLast] = useState();
  useEffect(() => {
    let live = true;
    loadLastDeployments().then(
      (map) => live && setLast(map),
      () => live && setLast(new Map()),
    );
    return () => {
      live = false;
    };
  }, []);

  const rows = useMemo(() => {
    const needle = q.toLowerCase();
    return model.actions
      .map((a) => ({ a, drifting: baseline ? driftingEnvironments(model, baseline, a.name) : [] }))
      .filter(({ a, drifting }) => {
        if (needle && !a.name.toLowerCase().includes(needle) && !a.description.toLowerCase().includes(needle))
          return false;
        if (type && a.type !== type) return false;
        if (drift === "drifting" && drifting.length === 0) return false;
        if (drift === "in-sync" && drifting.length > 0) return false;
        if (uses === "(none)" && a.dependencies.length > 0) return false;
        if (uses && uses !== "(none)" && !transitiveDependencies(model, a.name).has(uses)) return false;
        return true;
      });
  }, [model, q, type, drift, uses, baseline]);

  return html`
    <h1>Actions</h1>
    <form class="filters" role="search" onSubmit=${(e) => e.preventDefault()}>
      <label>Search <input data-search type="search" value=${q} placeholder="name or description" onInput=${(e) => set({ q: e.currentTarget.value })} /></label>
      <label>Type
        <select value=${type} onChange=${(e) => set({ type: e.currentTarget.value })}>
          <option value="">any</option>
          ${types.map((t) => html`<option value=${t}>${t}</option>`)}
        </select>
      </label>
      <label>Drift against
        <select value=${baseline} onChange=${(e) => set({ baseline: e.currentTarget.value })}>
          ${model.environments.map((e) => html`<option value=${e.id}>${e.id}</option>`)}
        </select>
      </label>
      <label>Drift
        <select value=${drift} onChange=${(e) => set({ drift: e.currentTarget.value })}>
          <option value="">any</option>
          <option value="drifting">drifting</option>
          <option value="in-sync">in sync</option>
        </select>
      </label>
      <label>Depends on
        <select value=${uses} onChange=${(e) => set({ uses: e.currentTarget.value })}>
          <option value="">anything</option>
          <option value="(none)">nothing</option>
          ${model.actions.filter((a) => a.dependents.length > 0).map((a) => html`<option value=${a.name}>${a.name}</option>`)}
        </select>
      </label>
    </form>
    <p class="count" aria-live="polite">${rows.length} of ${model.actions.length} actions</p>
    <div class="scroll">
      <table class="actions">
        <thead>
          <tr><th>Name</th><th>Type</th><th>Depends on</th><th>Used by</th><th>Drift against ${baseline}</th><th>Version</th><th>Last deployment</th></tr>
        </thead>
        <tbody>
          ${rows.slice(0, 500).map(
            ({ a, drifting }) => html`<tr key=${a.name}>
              <td><a href=${hrefOf("action", a.name)}>${a.name}</a>${model.inCycle.has(a.name) ? html` <span class="badge cycle">cycle</span>` : ""}</td>
              <td>${a.type}</td>
              <td>${a.dependencies.join(", ")}</td>
              <td>${a.dependents.length}</td>
              <td>${drifting.length === 0 ? html`<span class="muted">in sync</span>` : html`<a href=${hrefOf("matrix", undefined, { baseline, q: a.name })} class="badge drift">${drifting.join(", ")}</a>`}</td>
              <td>${a.version}</td>
              <td data-last-deployment>${lastCell(last, a.id)}</td>
            </tr>`,
          )}
        </tbody>
      </table>
    </div>
    ${rows.length > 500 ? html`<p class="muted">The first 500 are shown; narrow the search to see the others.</p>` : ""}
  `;
}
