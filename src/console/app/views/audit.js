// The local audit log (--audit-log): one line per change the CLI made, filtered like `cxda audit`.
import { loadAudit } from "../api.js";
import { html, useEffect, useMemo, useState } from "../lib.js";
import { replaceRoute } from "../router.js";

const SINCE = [
  ["", "any time"],
  ["15m", "last 15 minutes"],
  ["1h", "last hour"],
  ["24h", "last 24 hours"],
  ["7d", "last 7 days"],
];
const UNIT_MS = { s: 1e3, m: 6e4, h: 3.6e6, d: 8.64e7, w: 6.048e8 };

/** The instant a `since` value names: a duration back from now (15m, 1h, 2d) or an ISO 8601 time. */
export function sinceInstant(value, now = Date.now()) {
  const relative = /^(\d+)\s*([smhdw])$/i.exec(value.trim());
  if (relative) return now - Number(relative[1]) * UNIT_MS[relative[2].toLowerCase()];
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : at;
}

function operationMatches(operation, wanted) {
  if (operation === wanted) return true;
  const group = wanted.endsWith(".*") ? wanted.slice(0, -2) : wanted.includes(".") ? null : wanted;
  return group !== null && operation.startsWith(`${group}.`);
}

function webhookText(webhook) {
  if (!webhook) return "—";
  if (webhook.skipped) return "skipped";
  if (webhook.delivered) return `delivered (${webhook.attempts} attempt${webhook.attempts === 1 ? "" : "s"})`;
  return `failed (${webhook.attempts} attempt${webhook.attempts === 1 ? "" : "s"}${webhook.status ? `, ${webhook.status}` : ""})`;
}

export function AuditView({ params }) {
  const [log, setLog] = useState();
  const [error, setError] = useState();
  useEffect(() => {
    loadAudit().then(setLog, (e) => setError(e.message));
  }, []);
  const since = params.since ?? "";
  const operation = params.operation ?? "";
  const target = params.target ?? "";
  const outcome = params.outcome ?? "";
  const set = (change) => replaceRoute("audit", undefined, { ...params, ...change });

  const records = log?.records ?? [];
  const operations = useMemo(() => [...new Set(records.map((r) => r.operation))].sort(), [log]);
  const sinceAt = since ? sinceInstant(since) : undefined;
  const rows = records
    .filter((r) => {
      if (sinceAt !== undefined && !(Date.parse(r.timestamp) >= sinceAt)) return false;
      if (operation && !operationMatches(r.operation, operation)) return false;
      if (target && r.target?.name !== target && r.target?.id !== target) return false;
      if (outcome && r.outcome !== outcome) return false;
      return true;
    })
    .reverse();

  return html`
    <h1>Audit</h1>
    ${error ? html`<p class="error" role="alert">${error}</p>` : ""}
    ${log ? html`<p class="muted">${log.file}: ${records.length} record(s)${log.problems.length > 0 ? `; ${log.problems.map((p) => (p.line > 0 ? `line ${p.line}: ${p.message}` : p.message)).join("; ")}` : ""}</p>` : ""}
    <form class="filters" role="search" onSubmit=${(e) => e.preventDefault()}>
      <label>Since
        <select name="since" value=${SINCE.some(([v]) => v === since) ? since : "custom"} onChange=${(e) => set({ since: e.currentTarget.value === "custom" ? since : e.currentTarget.value })}>
          ${SINCE.map(([v, label]) => html`<option value=${v}>${label}</option>`)}
          ${SINCE.some(([v]) => v === since) ? "" : html`<option value="custom">since ${since}</option>`}
        </select>
      </label>
      <label>Operation
        <select name="operation" value=${operation} onChange=${(e) => set({ operation: e.currentTarget.value })}>
          <option value="">any</option>
          ${operations.map((o) => html`<option value=${o}>${o}</option>`)}
        </select>
      </label>
      <label>Target <input data-search name="target" type="search" value=${target} placeholder="action name or id" onInput=${(e) => set({ target: e.currentTarget.value })} /></label>
      <label>Outcome
        <select name="outcome" value=${outcome} onChange=${(e) => set({ outcome: e.currentTarget.value })}>
          <option value="">any</option><option value="success">success</option><option value="failure">failure</option>
        </select>
      </label>
    </form>
    <p class="count" aria-live="polite">${rows.length} of ${records.length} records</p>
    <div class="scroll">
      <table class="audit">
        <thead><tr><th>Time</th><th>Operation</th><th>Target</th><th>Env</th><th>Outcome</th><th>Status</th><th>Request id</th><th>Webhook</th></tr></thead>
        <tbody>
          ${rows.slice(0, 1000).map(
            (r) => html`<tr data-outcome=${r.outcome}>
              <td><time datetime=${r.timestamp}>${r.timestamp.replace("T", " ").replace(/\.\d+Z$/, "Z")}</time></td>
              <td>${r.operation}</td>
              <td>${r.target?.name ?? r.target?.id ?? ""}</td>
              <td>${r.environment ?? ""}</td>
              <td class=${`outcome-${r.outcome}`}>${r.outcome}${r.error ? html`<div class="muted">${r.error}</div>` : ""}</td>
              <td>${r.status ?? ""}</td>
              <td><code>${r.requestId ?? ""}</code></td>
              <td>${webhookText(r.webhook)}</td>
            </tr>`,
          )}
        </tbody>
      </table>
    </div>
  `;
}
