import { html } from "../lib.js";
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
