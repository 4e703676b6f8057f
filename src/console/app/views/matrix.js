import { CELL_KINDS, cellKind, driftOf, ENTRY_LABELS } from "../drift.js";
import { html, useEffect, useMemo, useRef } from "../lib.js";
import { hrefOf, replaceRoute } from "../router.js";

export function MatrixView({ model, params }) {
  const envs = model.environments;
  const baseline = envs.some((e) => e.id === params.baseline) ? params.baseline : envs[0]?.id;
  const q = params.q ?? "";
  const selected = params.cell ? params.cell.split("@") : undefined; // action@env
  const set = (change) => replaceRoute("matrix", undefined, { ...params, ...change });
  const table = useRef();

  const rows = useMemo(() => {
    const needle = q.toLowerCase();
    return needle ? model.actions.filter((a) => a.name.toLowerCase().includes(needle)) : model.actions;
  }, [model, q]);

  // Arrow keys move between the cells of the grid.
  useEffect(() => {
    const el = table.current;
    if (!el) return undefined;
    const onKey = (event) => {
      const cell = event.target.closest?.("[data-cell]");
      if (!cell) return;
      const [r, c] = [Number(cell.dataset.row), Number(cell.dataset.col)];
      const move = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] }[event.key];
      if (!move) return;
      const next = el.querySelector(`[data-row="${r + move[0]}"][data-col="${c + move[1]}"]`);
      if (next) {
        next.focus();
        event.preventDefault();
      }
    };
    el.addEventListener("keydown", onKey);
    return () => el.removeEventListener("keydown", onKey);
  }, [table.current]);

  const entries = selected ? driftOf(model, baseline, selected[1], selected[0]) : [];
  return html`
    <h1>Environments</h1>
    <form class="filters" onSubmit=${(e) => e.preventDefault()}>
      <label>Baseline
        <select name="baseline" value=${baseline} onChange=${(e) => set({ baseline: e.currentTarget.value, cell: undefined })}>
          ${envs.map((e) => html`<option value=${e.id}>${e.name === e.id ? e.id : `${e.id} (${e.name})`}</option>`)}
        </select>
      </label>
      <label>Search <input data-search type="search" value=${q} placeholder="action name" onInput=${(e) => set({ q: e.currentTarget.value })} /></label>
    </form>
    <ul class="legend" aria-label="Legend">
      <li><span class="swatch cell-baseline"></span>baseline</li>
      ${CELL_KINDS.map((k) => html`<li><span class=${`swatch cell-${k.kind}`}></span>${k.label}</li>`)}
    </ul>
    <div class="matrix-layout">
      <div class="scroll">
        <table class="matrix" ref=${table} data-baseline=${baseline}>
          <thead><tr><th>Action</th>${envs.map((e) => html`<th>${e.id}</th>`)}</tr></thead>
          <tbody>
            ${rows.map(
              (a, r) => html`<tr key=${a.name} data-action=${a.name}>
                <th scope="row"><a href=${hrefOf("action", a.name)}>${a.name}</a></th>
                ${envs.map((e, c) => {
                  if (e.id === baseline)
                    return html`<td class="cell cell-baseline" data-env=${e.id}>baseline</td>`;
                  const list = driftOf(model, baseline, e.id, a.name);
                  const kind = cellKind(list);
                  const chosen = selected && selected[0] === a.name && selected[1] === e.id;
                  return html`<td class=${`cell cell-${kind}`} data-env=${e.id} data-kind=${kind}>
                    <button type="button" data-cell data-row=${r} data-col=${c} aria-pressed=${chosen ? "true" : "false"}
                      aria-label=${`${a.name} in ${e.id}: ${list.length === 0 ? "same as baseline" : `${list.length} difference(s)`}`}
                      onClick=${() => set({ cell: `${a.name}@${e.id}` })}>${list.length === 0 ? "=" : `${list.length} ≠`}</button>
                  </td>`;
                })}
              </tr>`,
            )}
          </tbody>
        </table>
      </div>
      <section class="entries" aria-live="polite" aria-label="Differences">
        ${
          selected
            ? html`<h2>${selected[0]}: ${baseline} → ${selected[1]}</h2>
              ${
                entries.length === 0
                  ? html`<p>No differences: the overrides of ${selected[1]} match ${baseline}.</p>`
                  : html`<table class="diff">
                    <thead><tr><th>Variable</th><th>Drift</th><th>${baseline}</th><th>${selected[1]}</th></tr></thead>
                    <tbody>
                      ${entries.map(
                        (d) => html`<tr data-kind=${d.kind}>
                          <td>${d.name}</td><td>${ENTRY_LABELS[d.kind]}</td>
                          <td><code>${d.baseline ?? "—"}</code></td><td><code>${d.target ?? "—"}</code></td>
                        </tr>`,
                      )}
                    </tbody>
                  </table>`
              }`
            : html`<p class="muted">Pick a cell (click, or Tab and Enter) to see its differences.</p>`
        }
      </section>
    </div>
  `;
}
