// The console's own API: the tenant model (one read of the tenant) and the local audit log.

async function getJson(path) {
  const res = await fetch(path, { credentials: "same-origin", headers: { accept: "application/json" } });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(body.error ?? `${path} answered ${res.status}`);
  return body;
}

let model;

/** The tenant, read once per page load; `refresh` reads it again. */
export function loadModel(refresh = false) {
  if (refresh || model === undefined) {
    model = getJson("/api/model").then((m) => indexModel(m));
    model.catch(() => {
      model = undefined;
    });
  }
  return model;
}

/** A write: JSON body, same origin (the browser sends Origin, the console checks it). */
export async function postJson(path, body) {
  const res = await fetch(path, {
    method: "POST",
    credentials: "same-origin",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify(body),
  });
  const answer = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(answer.error ?? `${path} answered ${res.status}`);
  return answer;
}

export function getApi(path) {
  return getJson(path);
}

let lastDeployments;

/** Per action id, the newest deployment that touched it; read once per page load, like the model. */
export function loadLastDeployments() {
  if (lastDeployments === undefined) {
    lastDeployments = getJson("/api/last-deployments").then(
      (r) => new Map(r.entities.map((e) => [e.actionId, e])),
    );
    lastDeployments.catch(() => {
      lastDeployments = undefined;
    });
  }
  return lastDeployments;
}

export function loadAudit() {
  return getJson("/api/audit");
}

function indexModel(m) {
  const byName = new Map(m.actions.map((a) => [a.name, a]));
  const inCycle = new Set(m.cycles.flat());
  return { ...m, byName, inCycle };
}
