import { getApi } from "../api.js";
import { html, useEffect, useState } from "../lib.js";
import { hrefOf } from "../router.js";

const SOURCE_LABEL = { override: "override", action: "action", global: "global" };

function links(names) {
  if (names.length === 0) return html`<span class="muted">none</span>`;
  return names.map((n, i) => html`${i > 0 ? ", " : ""}<a href=${hrefOf("action", n)}>${n}</a>`);
}

function Script({ script }) {
  const lines = script.content.replace(/\n$/, "").split("\n");
  return html`<div class="scroll"><table class="code" aria-label="Script">
    <tbody>${lines.map((line, i) => html`<tr><td class="ln">${i + 1}</td><td><code>${line}</code></td></tr>`)}</tbody>
  </table></div>`;
}

/** The action's revisions, and the diff between any two of them (read when asked). */
function Revisions({ action }) {
  const [history, setHistory] = useState();
  const [error, setError] = useState();
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const [diff, setDiff] = useState();
  useEffect(() => {
    getApi(`/api/revisions?action=${encodeURIComponent(action.id)}`).then(
      (h) => {
        setHistory(h);
        const versions = h.revisions.map((r) => r.version);
        setTo(String(versions[0] ?? action.version));
        setFrom(String(versions[1] ?? versions[0] ?? action.version));
      },
      (e) => setError(e.message),
    );
  }, [action.id]);
  if (error) return html`<p class="error">${error}</p>`;
  if (!history) return html`<p class="loading">Reading the revisions…</p>`;
  const show = () =>
    getApi(`/api/diff?action=${encodeURIComponent(action.id)}&from=${from}&to=${to}`).then(setDiff, (e) =>
      setError(e.message),
    );
  const choose = (value, set) => html`<select value=${value} onChange=${(e) => {
    set(e.currentTarget.value);
    setDiff(undefined);
  }}>
    ${history.revisions.map((r) => html`<option value=${String(r.version)}>v${r.version}</option>`)}
  </select>`;
  return html`
    <div class="scroll"><table class="revisions">
      <thead><tr><th>Version</th><th>When</th><th>By</th><th>Deployment</th></tr></thead>
      <tbody>${history.revisions.map(
        (r) => html`<tr><td>v${r.version}</td><td>${new Date(r.modifiedTimestamp)
          .toISOString()
          .replace("T", " ")
          .replace(/\.\d+Z$/, "Z")}</td>
          <td>${r.clientId}</td><td>${r.deploymentId ? html`<a href=${hrefOf("deployments", r.deploymentId)}>${r.deploymentId}</a>` : ""}</td></tr>`,
      )}</tbody>
    </table></div>
    ${
      history.revisions.length > 1
        ? html`<form class="filters" onSubmit=${(e) => {
            e.preventDefault();
            show();
          }}>
          <label>From ${choose(from, setFrom)}</label>
          <label>To ${choose(to, setTo)}</label>
          <button type="submit" class="show-revision-diff">Diff</button>
        </form>`
        : ""
    }
    ${
      diff
        ? html`<pre class="unified-diff">${diff.unifiedDiff
            .split("\n")
            .map(
              (line) =>
                html`<span class=${line.startsWith("+") ? "add" : line.startsWith("-") ? "del" : line.startsWith("@@") ? "hunk" : ""}>${`${line}\n`}</span>`,
            )}</pre>`
        : ""
    }
  `;
}

export function ActionView({ model, name }) {
  const a = model.byName.get(name);
  if (!a)
    return html`<h1>Action ${name}</h1><p class="error">No action is called ${name}. <a href="#/actions">All actions</a></p>`;
  const envs = model.environments;
  const names = [...new Set(envs.flatMap((e) => (a.effective[e.id] ?? []).map((v) => v.name)))].sort();
  const effective = (env, n) => (a.effective[env] ?? []).find((v) => v.name === n);
  const override = (env, n) => (a.overrides[env] ?? []).find((v) => v.name === n);
  return html`
    <p class="crumbs"><a href="#/actions">Actions</a> ›</p>
    <h1>${a.name} <span class="badge">${a.type}</span> <span class="muted">version ${a.version}</span></h1>
    ${a.description ? html`<p>${a.description}</p>` : ""}
    <dl class="facts">
      <dt>Depends on</dt><dd>${links(a.dependencies)}</dd>
      <dt>Used by</dt><dd>${links(a.dependents)}</dd>
      <dt>Graph</dt><dd><a href=${hrefOf("graph", undefined, { focus: a.name })}>neighbourhood of ${a.name}</a></dd>
      ${model.inCycle.has(a.name) ? html`<dt>Cycle</dt><dd class="error">part of a dependency cycle</dd>` : ""}
    </dl>

    ${a.script ? html`<h2>Script <span class="muted">(${a.script.language})</span></h2><${Script} script=${a.script} />` : ""}
    ${a.request ? html`<h2>Request</h2><p><code>${a.request.method} ${a.request.urlTemplate}</code></p>` : ""}

    <h2>Headers</h2>
    ${
      a.headers.length === 0
        ? html`<p class="muted">No headers.</p>`
        : html`<div class="scroll"><table class="headers"><thead><tr><th>Name</th><th>Value</th></tr></thead><tbody>
          ${a.headers.map((h) => html`<tr><td>${h.name}</td><td>${h.masked ? html`<code>***</code> <span class="badge">credential, masked</span>` : html`<code>${h.value}</code>`}</td></tr>`)}
        </tbody></table></div>`
    }

    <h2>Variables</h2>
    ${
      a.variables.length === 0
        ? html`<p class="muted">No variables of its own.</p>`
        : html`<div class="scroll"><table class="variables"><thead><tr><th>Name</th><th>Type</th><th>Value</th><th>keyId</th><th>Fingerprint</th></tr></thead><tbody>
          ${a.variables.map(
            (v) => html`<tr>
              <td>${v.name}</td><td>${v.type}</td>
              <td>${v.encrypted ? html`<span class="badge secret">encrypted</span>` : html`<code>${v.value}</code>`}</td>
              <td><code>${v.keyId ?? ""}</code></td><td><code class="fp">${v.fingerprint ?? ""}</code></td>
            </tr>`,
          )}
        </tbody></table></div>`
    }

    ${model.capabilities.includes("revisions") ? html`<h2>Revisions</h2><${Revisions} key=${a.id} action=${a} />` : ""}

    <h2>Effective variables per environment</h2>
    <p class="muted">Each value comes from the first layer that has it: override ▸ action ▸ global. Secrets read ***.</p>
    ${
      names.length === 0
        ? html`<p class="muted">No variables in any environment.</p>`
        : html`<div class="scroll"><table class="effective"><thead><tr><th>Variable</th>${envs.map((e) => html`<th>${e.id}</th>`)}</tr></thead><tbody>
          ${names.map(
            (n) =>
              html`<tr data-variable=${n}><td>${n}</td>${envs.map((e) => {
                const v = effective(e.id, n);
                if (!v) return html`<td class="muted">—</td>`;
                const o = v.source === "override" ? override(e.id, n) : undefined;
                return html`<td data-env=${e.id} data-source=${v.source}>
                <code>${v.value}</code> <span class=${`source source-${v.source}`}>${SOURCE_LABEL[v.source]}</span>
                ${v.shadows.length > 0 ? html`<span class="muted"> (hides ${v.shadows.join(", ")})</span>` : ""}
                ${o?.description ? html`<div class="muted">${o.description}</div>` : ""}
              </td>`;
              })}</tr>`,
          )}
        </tbody></table></div>`
    }
  `;
}
