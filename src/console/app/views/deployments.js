// Deployments: the timeline, one deployment's resources with each action's diff (read on demand), and
// its rollback, which shows the rollback's plan first and sends nothing until it is confirmed.
import { getApi, postJson } from "../api.js";
import { html, useEffect, useState } from "../lib.js";
import { hrefOf } from "../router.js";

function counts(c) {
  return `+${c.created} ~${c.updated} −${c.deleted}`;
}

/** A deployment's time (ISO 8601, or milliseconds since the epoch) as `2026-12-03 10:00:00Z`. */
export function iso(ts) {
  const date = new Date(ts);
  return Number.isNaN(date.getTime()) ? String(ts) : date.toISOString();
}

export function when(ts) {
  return iso(ts)
    .replace("T", " ")
    .replace(/\.\d+Z$/, "Z");
}

function resourceLabel(r) {
  const what = r.kind === "globalVariables" ? "global variables" : `${r.name ?? r.actionId ?? ""} ${r.kind}`;
  return r.environmentId ? `${what} (${r.environmentId})` : what;
}

function versions(r) {
  if (r.beforeVersion === null) return `created at v${r.afterVersion}`;
  if (r.afterVersion === null) return `deleted (was v${r.beforeVersion})`;
  return `v${r.beforeVersion} → v${r.afterVersion}`;
}

function Diff({ r }) {
  const [diff, setDiff] = useState();
  const [error, setError] = useState();
  const show = () =>
    getApi(
      `/api/diff?action=${encodeURIComponent(r.actionId)}&from=${r.beforeVersion}&to=${r.afterVersion}`,
    ).then(setDiff, (e) => setError(e.message));
  if (error) return html`<p class="error">${error}</p>`;
  if (!diff) return html`<button type="button" class="show-diff" onClick=${show}>Show diff</button>`;
  return html`<pre class="unified-diff">${diff.unifiedDiff
    .split("\n")
    .map(
      (line) =>
        html`<span class=${line.startsWith("+") ? "add" : line.startsWith("-") ? "del" : line.startsWith("@@") ? "hunk" : ""}>${`${line}\n`}</span>`,
    )}</pre>`;
}

function Rollback({ id, onDone }) {
  const [plan, setPlan] = useState();
  const [state, setState] = useState("idle");
  const [force, setForce] = useState(false);
  const [message, setMessage] = useState();
  const ask = () => {
    setState("planning");
    getApi(`/api/deployments/${encodeURIComponent(id)}/rollback-plan`).then(
      (p) => {
        setPlan(p);
        setState("confirm");
      },
      (e) => {
        setMessage(e.message);
        setState("idle");
      },
    );
  };
  const confirm = () => {
    setState("sending");
    postJson(`/api/deployments/${encodeURIComponent(id)}/rollback`, { force }).then(
      (r) => {
        setMessage(`Rolled back: deployment ${r.rollback.deploymentId} (revision ${r.rollback.revision}).`);
        setState("done");
        onDone();
      },
      (e) => {
        setMessage(e.message);
        setState("confirm");
      },
    );
  };
  return html`<section class="rollback" aria-label="Rollback">
    ${
      state === "idle" || state === "planning"
        ? html`<button type="button" class="danger" disabled=${state === "planning"} onClick=${ask}>Roll back…</button>`
        : ""
    }
    ${
      plan && (state === "confirm" || state === "sending")
        ? html`<div class="confirm" role="dialog" aria-label="Confirm the rollback">
          <h2>Rolling back ${id} would:</h2>
          <div class="scroll"><table class="rollback-plan">
            <thead><tr><th>Step</th><th>Resource</th><th>Back to</th><th>Now</th><th></th></tr></thead>
            <tbody>${plan.steps.map(
              (s) => html`<tr data-action=${s.action} class=${s.conflict ? "conflict" : ""}>
                <td>${s.action}</td><td>${resourceLabel(s.resource)}</td>
                <td>${s.action === "delete" ? "deleted" : `v${s.resource.beforeVersion ?? ""}`}</td>
                <td>${s.currentVersion === null ? "absent" : s.currentVersion === undefined ? "?" : `v${s.currentVersion}`}</td>
                <td>${s.conflict ? "changed since" : ""}</td>
              </tr>`,
            )}</tbody>
          </table></div>
          ${
            plan.conflicts > 0
              ? html`<p class="error">${plan.conflicts} resource(s) changed since this deployment; the rollback is refused for them unless forced.</p>
                <label><input type="checkbox" checked=${force} onChange=${(e) => setForce(e.currentTarget.checked)} /> overwrite them (force)</label>`
              : ""
          }
          <p>
            <button type="button" class="danger" disabled=${state === "sending"} onClick=${confirm}>Confirm rollback</button>
            <button type="button" onClick=${() => setState("idle")}>Cancel</button>
          </p>
        </div>`
        : ""
    }
    ${message ? html`<p role="status" class=${state === "done" ? "ok" : "error"}>${message}</p>` : ""}
  </section>`;
}

function Detail({ id, onRolledBack }) {
  const [d, setD] = useState();
  const [error, setError] = useState();
  useEffect(() => {
    setD(undefined);
    getApi(`/api/deployments/${encodeURIComponent(id)}`).then(setD, (e) => setError(e.message));
  }, [id]);
  if (error) return html`<p class="error">${error}</p>`;
  if (!d) return html`<p class="loading">Reading deployment ${id}…</p>`;
  return html`<section class="deployment" aria-label=${`Deployment ${id}`}>
    <h2>Deployment ${d.id} <span class="muted">revision ${d.revision} · ${when(d.createdTimestamp)} · ${d.clientId}</span></h2>
    ${d.description ? html`<p>${d.description}</p>` : ""}
    <div class="scroll"><table class="resources">
      <thead><tr><th>Resource</th><th>Versions</th></tr></thead>
      <tbody>${d.resources.map(
        (r) => html`<tr data-kind=${r.kind}>
          <td>${r.kind === "action" && r.name ? html`<a href=${hrefOf("action", r.name)}>${resourceLabel(r)}</a>` : resourceLabel(r)}</td>
          <td>${versions(r)}</td>
        </tr>
        ${
          r.kind === "action" && r.actionId && r.beforeVersion !== null && r.afterVersion !== null
            ? html`<tr class="diff-row"><td colspan="2"><${Diff} r=${r} /></td></tr>`
            : ""
        }`,
      )}</tbody>
    </table></div>
    <${Rollback} key=${id} id=${id} onDone=${onRolledBack} />
  </section>`;
}

export function DeploymentsView({ id }) {
  const [list, setList] = useState();
  const [error, setError] = useState();
  const read = () => getApi("/api/deployments").then(setList, (e) => setError(e.message));
  useEffect(() => {
    read();
  }, []);
  return html`
    <h1>Deployments</h1>
    ${error ? html`<p class="error" role="alert">${error}</p>` : ""}
    ${list && !list.available ? html`<p class="muted">This server does not record deployments.</p>` : ""}
    <div class="deployments-layout">
      <ol class="timeline" aria-label="Timeline, newest first">
        ${(list?.deployments ?? []).map(
          (d) => html`<li data-id=${d.id} aria-current=${d.id === id ? "true" : undefined}>
            <a href=${hrefOf("deployments", d.id)}><time datetime=${iso(d.createdTimestamp)}>${when(d.createdTimestamp)}</time>
              <span class="counts">${counts(d.counts)}</span></a>
            <div class="muted">${d.description ?? ""} · ${d.clientId} · rev ${d.revision}</div>
          </li>`,
        )}
      </ol>
      <div>${id ? html`<${Detail} id=${id} onRolledBack=${read} />` : html`<p class="muted">Pick a deployment to see what it changed.</p>`}</div>
    </div>
  `;
}
