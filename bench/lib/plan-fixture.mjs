/**
 * A desired state and a live state of `count` actions for the planner benchmarks (B6, B7): dependency
 * chains of 10, headers, 3 variables (one secret), overrides in 3 environments; 90 % of the actions
 * already live, every 7th of those with a changed header and every 11th with a changed override.
 */
const ENVS = ["dev", "staging", "prod"];
const SCRIPT = "function main(context) {\n  return { ok: true, input: context.input };\n}\n";

function desiredAction(i) {
  const name = `plan_${String(i).padStart(5, "0")}`;
  return {
    name,
    type: "SCRIPT",
    description: `planner benchmark action ${i}`,
    script: { language: "JavaScript", content: SCRIPT, file: `scripts/${name}.js` },
    request: null,
    dependencies: i % 10 === 0 ? [] : [`plan_${String(i - 1).padStart(5, "0")}`],
    headers: { "X-Source": "cxda", "X-Team": `team-${i % 17}`, Authorization: `Bearer secret-${i}` },
    secretHeaders: ["Authorization"],
    variables: [
      { name: "region", type: "string", value: `eu-${i % 3}`, encrypted: false },
      { name: "retries", type: "integer", value: String(i % 5), encrypted: false },
      { name: "apiKey", type: "string", value: `secret-${i}`, encrypted: true },
    ],
    overrides: Object.fromEntries(
      ENVS.map((env) => [
        env,
        [
          {
            name: "BASE_URL",
            value: `https://${env}.example.test/${i}`,
            masked: false,
            description: "endpoint",
          },
          { name: "TOKEN", value: `token-${env}-${i}-abcdefgh`, masked: true, description: "credential" },
        ],
      ]),
    ),
    dateProcessing: null,
  };
}

function liveAction(d, i) {
  const changedHeader = i % 7 === 0;
  const changedOverride = i % 11 === 0;
  return {
    id: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
    version: 3,
    locked: false,
    name: d.name,
    type: d.type,
    description: d.description,
    script: { language: "JavaScript", content: d.script.content },
    request: null,
    dependencies: [...d.dependencies],
    headers: { ...d.headers, ...(changedHeader ? { "X-Team": "moved" } : {}) },
    dateProcessing: null,
    variables: d.variables.map((v) =>
      v.encrypted ? { ...v, value: null, fingerprint: `hmac-sha256:fp${i}` } : { ...v },
    ),
    overrides: Object.fromEntries(
      ENVS.map((env) => [
        env,
        d.overrides[env].map((o) =>
          o.masked
            ? { ...o, value: null, fingerprint: `hmac-sha256:ov${i}` }
            : { ...o, value: changedOverride && env === "prod" ? "https://old.example.test" : o.value },
        ),
      ]),
    ),
  };
}

export function planFixture(count) {
  const actions = Array.from({ length: count }, (_, i) => desiredAction(i));
  const desired = { apiVersion: "cxda/v1", environments: ENVS, actions };
  const liveActions = actions
    .filter((_, i) => i % 10 !== 9)
    .map((d) => liveAction(d, Number(d.name.slice(5))));
  const live = { actions: liveActions, read: { variables: true, overrides: true } };
  return { desired, live };
}
