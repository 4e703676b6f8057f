import { loadModel } from "./api.js";
import { html, render, useEffect, useState } from "./lib.js";
import { hrefOf, parseHash } from "./router.js";
import { ActionView } from "./views/action.js";
import { ActionsView } from "./views/actions.js";
import { AuditView } from "./views/audit.js";
import { DeploymentsView } from "./views/deployments.js";
import { GraphView } from "./views/graph.js";
import { MatrixView } from "./views/matrix.js";

const VIEWS = [
  { id: "actions", label: "Actions", key: "1" },
  { id: "matrix", label: "Environments", key: "2" },
  { id: "graph", label: "Dependencies", key: "3" },
  { id: "audit", label: "Audit", key: "4" },
  { id: "deployments", label: "Deployments", key: "5", needs: "deployments" },
];

function typing(target) {
  return (
    target instanceof HTMLElement &&
    (target.isContentEditable || /^(INPUT|SELECT|TEXTAREA)$/.test(target.tagName))
  );
}

function App() {
  const [route, setRoute] = useState(parseHash(location.hash));
  const [model, setModel] = useState();
  const [error, setError] = useState();

  const read = (refresh) =>
    loadModel(refresh).then(
      (m) => {
        setModel(m);
        setError(undefined);
      },
      (e) => setError(e.message),
    );

  useEffect(() => {
    const onHash = () => setRoute(parseHash(location.hash));
    window.addEventListener("hashchange", onHash);
    read(false);
    return () => window.removeEventListener("hashchange", onHash);
  }, []);

  useEffect(() => {
    // Keys 1–5 switch views, / goes to the view's search, r reads the tenant again.
    const onKey = (event) => {
      if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
      const view = VIEWS.find((v) => v.key === event.key);
      if (view) {
        location.hash = hrefOf(view.id);
        event.preventDefault();
      } else if (event.key === "/") {
        const search = document.querySelector("[data-search]");
        if (search) {
          search.focus();
          event.preventDefault();
        }
      } else if (event.key === "r") read(true);
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);

  useEffect(() => {
    const current =
      route.view === "action" ? `Action ${route.arg}` : VIEWS.find((v) => v.id === route.view)?.label;
    document.title = `${current ?? "cxda"} · cxda console`;
  }, [route]);

  const active = route.view === "action" ? "actions" : route.view;
  return html`
    <header class="top">
      <a class="brand" href="#/actions">cxda console</a>
      <nav aria-label="Views">
        ${VIEWS.filter((v) => !v.needs || model?.capabilities.includes(v.needs)).map(
          (v) =>
            html`<a href=${hrefOf(v.id)} aria-current=${active === v.id ? "page" : undefined} aria-keyshortcuts=${v.key}
              >${v.label}</a
            >`,
        )}
      </nav>
      <span class="status">
        ${model ? html`${model.actions.length} actions · read ${new Date(model.readAt).toLocaleTimeString()}` : ""}
        <button type="button" class="refresh" onClick=${() => read(true)} title="Read the tenant again (r)">Refresh</button>
      </span>
    </header>
    <main id="main" tabindex="-1">
      ${error ? html`<p class="error" role="alert">The tenant could not be read: ${error}</p>` : ""}
      ${
        route.view === "audit"
          ? html`<${AuditView} params=${route.params} />`
          : !model
            ? error
              ? ""
              : html`<p class="loading">Reading the tenant…</p>`
            : route.view === "deployments"
              ? html`<${DeploymentsView} id=${route.arg} />`
              : route.view === "action"
                ? html`<${ActionView} model=${model} name=${route.arg} params=${route.params} />`
                : route.view === "matrix"
                  ? html`<${MatrixView} model=${model} params=${route.params} />`
                  : route.view === "graph"
                    ? html`<${GraphView} model=${model} params=${route.params} />`
                    : html`<${ActionsView} model=${model} params=${route.params} />`
      }
    </main>
    <footer class="keys">Keys: 1–${model?.capabilities.includes("deployments") ? 5 : 4} views · / search · r refresh · Tab and Enter everywhere</footer>
  `;
}

const root = document.getElementById("app");
root.textContent = "";
render(html`<${App} />`, root);
