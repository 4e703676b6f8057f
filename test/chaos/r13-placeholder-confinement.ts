// biome-ignore-all lint/suspicious/noTemplateCurlyInString: placeholders are literal ${…} text, not template literals
/**
 * R13: placeholder confinement (README "Secrets"). A project may read files only inside its own
 * directory, and what it stores readable is what its plan shows.
 *
 * - Every placeholder-capable position of a cxda.yaml (and `script.file`) × five ways out of the project
 *   (`..`, an absolute path, a symlinked file, a symlinked directory, `sub/../..`) is loaded with every
 *   file read recorded: 0 reads outside the project, 0 outside values anywhere in the result, and each
 *   attempt refused. A control run with `--allow-files-outside-project` does read the value (so the
 *   count above can fail). The built CLI refuses the same escapes with exit 65.
 * - A project with placeholders in plain positions (description, URL, headers, variables, overrides)
 *   is planned and applied through the CLI; every plain value the plan shows (with its source) equals
 *   what a client holding only `dataactions:read` then reads, and no secret value is in any output.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from "node:fs";
import { join, sep } from "node:path";
import { request as httpRequest } from "undici";
import { startEmulator } from "../../src/emulator/server.js";
import { type ValidateProjectOptions, validateProject } from "../../src/project/validate-project.js";
import { runCxda } from "../helpers/cli.js";
import { atLeast, type ChaosRun, exactly, type Figure, info, seeded } from "./harness.js";
import type { ChaosSize } from "./sizes.js";

const WRITER = { id: "r13-writer", secret: `r13-writer-${randomBytes(12).toString("hex")}` };
const READER = { id: "r13-reader", secret: `r13-reader-${randomBytes(12).toString("hex")}` };

/** Where a placeholder can sit, as a fragment of one action (PH is replaced by the placeholder). */
const POSITIONS: Record<string, string> = {
  description: "    description: 'x PH'\n",
  "request URL": "    request: {method: GET, urlTemplate: 'https://api.example.com/PH'}\n",
  "plain header": "    headers: {X-Data: 'PH'}\n",
  "credential header": "    headers: {Authorization: 'Bearer PH'}\n",
  "plain variable": "    variables:\n      - {name: data, type: string, value: 'PH'}\n",
  "encrypted variable": "    variables:\n      - {name: data, type: string, value: 'PH', encrypted: true}\n",
  "plain override": "    overrides:\n      dev:\n        - {name: DATA, value: 'PH'}\n",
  "masked override": "    overrides:\n      dev:\n        - {name: DATA, value: 'PH', masked: true}\n",
  "override description":
    "    overrides:\n      dev:\n        - {name: DATA, value: ok, description: 'PH'}\n",
};

export async function runR13(run: ChaosRun, size: ChaosSize): Promise<Figure[]> {
  const root = join(run.dir, "r13");
  const project = join(root, "project");
  const outside = join(root, "outside");
  mkdirSync(join(project, "config"), { recursive: true });
  mkdirSync(join(project, "secrets"), { recursive: true });
  mkdirSync(join(project, "sub"), { recursive: true });
  mkdirSync(outside, { recursive: true });
  const stolen = `outside-${randomBytes(12).toString("hex")}`;
  writeFileSync(join(outside, "data.txt"), `${stolen}\n`);
  writeFileSync(join(outside, "data.js"), `function main(context) { return "${stolen}"; }\n`);
  symlinkSync(join(outside, "data.txt"), join(project, "link.txt"));
  symlinkSync(join(outside, "data.js"), join(project, "link.js"));
  symlinkSync(outside, join(project, "linkdir"));
  writeFileSync(join(project, "ok.js"), "function main(context) { return context.input; }\n");
  const escapes = (ext: string) => [
    `../outside/data.${ext}`,
    join(outside, `data.${ext}`),
    `link.${ext}`,
    `linkdir/data.${ext}`,
    `sub/../../outside/data.${ext}`,
  ];

  // 1. Every position × every way out, in process, with each read recorded.
  const realProject = realpathSync(project);
  const reads: string[] = [];
  const options: ValidateProjectOptions = {
    fileName: join(project, "cxda.yaml"),
    env: {},
    readFile: (path) => {
      reads.push(path);
      return readFileSync(path, "utf8");
    },
    realpath: (path) => realpathSync(path),
  };
  const attempts: string[] = [];
  for (const fragment of Object.values(POSITIONS))
    for (const path of escapes("txt"))
      attempts.push(`${head("ok.js")}${fragment.replace("PH", `\${file:${path}}`)}`);
  for (const path of escapes("js")) attempts.push(head(path));
  let refused = 0;
  let leaks = 0;
  for (const text of attempts) {
    const result = validateProject(text, options);
    const confinement = result.problems.filter((p) => /outside the project directory/.test(p.message));
    if (!result.ok && confinement.length === 1) refused += 1;
    if (JSON.stringify(result).includes(stolen)) leaks += 1;
  }
  const outsideReads = reads.filter((p) => !realpathSync(p).startsWith(realProject + sep)).length;
  const control = validateProject(
    `${head("ok.js")}${POSITIONS["encrypted variable"]!.replace("PH", "${file:../outside/data.txt}")}`,
    {
      ...options,
      allowFilesOutsideProject: true,
    },
  );
  const controlRead = control.project?.actions[0]?.variables?.[0]?.value === stolen ? 1 : 0;

  // 2. The built CLI refuses the same escapes (exit 65) and prints no outside value.
  const cliEscapes = escapes("txt").slice(0, size.r13CliEscapes);
  let cliRefused = 0;
  let cliLeaks = 0;
  for (const path of cliEscapes) {
    writeFileSync(
      join(project, "cxda.yaml"),
      `${head("ok.js")}${POSITIONS["plain header"]!.replace("PH", `\${file:${path}}`)}`,
    );
    const r = await runCxda(["validate"], { cwd: project });
    if (r.code === 65 && r.stdout.includes("--allow-files-outside-project")) cliRefused += 1;
    if (`${r.stdout}${r.stderr}`.includes(stolen)) cliLeaks += 1;
  }

  // 3. Plain values: what the plan shows is what a read-scoped client reads.
  const dataDir = join(root, "emulator");
  mkdirSync(dataDir, { recursive: true });
  run.dataDirs.push(dataDir);
  const emulator = await startEmulator({
    port: 0,
    host: "127.0.0.1",
    dataDir,
    config: {
      tenants: [
        {
          id: "r13",
          clients: [
            { id: WRITER.id, secret: WRITER.secret },
            { id: READER.id, secret: READER.secret, scopes: ["dataactions:read"] },
          ],
        },
      ],
    },
    rateLimit: { perMinute: 100_000, burst: 10_000 },
    random: seeded(13),
  });
  try {
    const secrets = {
      R13_API_TOKEN: `tok-${randomBytes(16).toString("hex")}`,
      queue: `queue-${randomBytes(16).toString("hex")}`,
    };
    for (const [kind, value] of Object.entries(secrets)) run.secrets.add(value, `R13 ${kind}`);
    const env = {
      R13_REGION: "eu-west-1",
      R13_HOST: "crm.example.com",
      R13_QUEUE: "https://queue.example.com/q1",
      R13_API_TOKEN: secrets.R13_API_TOKEN,
      CXDA_BASE_URL: emulator.url,
      CXDA_CLIENT_ID: WRITER.id,
      CXDA_CLIENT_SECRET: WRITER.secret,
      CXDA_AUDIT_LOG: run.auditPath("r13-cli"),
    };
    writeFileSync(join(project, "config", "team.txt"), "team-blue\n");
    writeFileSync(join(project, "secrets", "queue.txt"), `${secrets.queue}\n`);
    writeFileSync(join(project, "cxda.yaml"), plainProject(size.r13Actions));
    const plan = await runCxda(["plan", "--json"], { cwd: project, env });
    const shown = plainValuesOf(plan.stdout);
    const apply = await runCxda(["apply", "--auto-approve"], { cwd: project, env });
    const outputs = [plan, apply].map((r) => `${r.stdout}${r.stderr}`).join("\n");
    for (const text of [plan.stdout, plan.stderr, apply.stdout, apply.stderr])
      run.outputs.push({ sink: "R13 CLI output", text });
    const reader = await readerOf(emulator.url);
    let differing = 0;
    for (const value of shown) if ((await reader.read(value)) !== value.value) differing += 1;
    const secretLeaks = Object.values(secrets).filter((s) => outputs.includes(s)).length;
    return [
      info("R13", "escape attempts (positions × ways out, in process)", attempts.length),
      exactly("R13", "escape attempts refused, each naming the way out", refused, attempts.length),
      exactly("R13", "file reads outside the project", outsideReads, 0),
      exactly("R13", "outside values in problems or desired state", leaks, 0),
      exactly("R13", "control: outside value read with --allow-files-outside-project", controlRead, 1),
      exactly("R13", "CLI validate runs refusing an escape (exit 65)", cliRefused, cliEscapes.length),
      exactly("R13", "outside values in CLI output", cliLeaks, 0),
      exactly(
        "R13",
        "plan and apply exit codes (0, 0)",
        (plan.code === 0 ? 0 : 1) + (apply.code === 0 ? 0 : 10),
        0,
      ),
      atLeast("R13", "plain values the plan shows with their source", shown.length, size.r13Actions * 7),
      exactly("R13", "plain values in the plan ≠ what a read-scoped client reads", differing, 0),
      exactly("R13", "secret values in plan or apply output", secretLeaks, 0),
    ];
  } finally {
    await emulator.close();
  }
}

function head(script: string): string {
  return `apiVersion: cxda/v1\nactions:\n  r13_action:\n    type: SCRIPT\n    script: {file: '${script}'}\n`;
}

function plainProject(actions: number): string {
  const lines = ["apiVersion: cxda/v1", "actions:"];
  for (let i = 0; i < actions; i++) {
    lines.push(
      `  r13_lookup_${i}:`,
      "    type: HTTP",
      `    description: 'lookup ${i} in \${env:R13_REGION}'`,
      `    request: {method: GET, urlTemplate: 'https://\${env:R13_HOST}/leads/${i}/{id}'}`,
      "    headers:",
      "      X-Region: ${env:R13_REGION}",
      "      X-Team: ${file:config/team.txt}",
      "      Authorization: Bearer ${env:R13_API_TOKEN}",
      "    variables:",
      "      - {name: region, type: string, value: '${env:R13_REGION}'}",
      "      - {name: apiToken, type: string, value: '${env:R13_API_TOKEN}', encrypted: true}",
      "    overrides:",
      "      dev:",
      "        - {name: QUEUE_URL, value: '${env:R13_QUEUE}', description: 'queue in ${env:R13_REGION}'}",
      "        - {name: QUEUE_SECRET, value: '${file:secrets/queue.txt}', masked: true}",
    );
  }
  return `${lines.join("\n")}\n`;
}

interface ShownValue {
  action: string;
  env?: string;
  path: string;
  key: string;
  value: unknown;
}

/** Every value of `plan --json` that a placeholder gave (an entry's `sources`). */
function plainValuesOf(stdout: string): ShownValue[] {
  const plan = JSON.parse(stdout) as {
    changes: {
      action: string;
      env?: string;
      diff: { path: string; after?: unknown; sources?: Record<string, string> }[];
    }[];
  };
  const shown: ShownValue[] = [];
  for (const change of plan.changes)
    for (const entry of change.diff)
      for (const key of Object.keys(entry.sources ?? {})) {
        const value = key === "" ? entry.after : (entry.after as Record<string, unknown>)[key];
        shown.push({
          action: change.action,
          ...(change.env ? { env: change.env } : {}),
          path: entry.path,
          key,
          value,
        });
      }
  return shown;
}

/** A client holding only `dataactions:read`, reading back where each plan value went. */
async function readerOf(baseUrl: string) {
  const token = await (async () => {
    const res = await httpRequest(`${baseUrl}/oauth2/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "client_credentials",
        client_id: READER.id,
        client_secret: READER.secret,
      }).toString(),
    });
    return ((await res.body.json()) as { access_token: string }).access_token;
  })();
  const get = async (path: string) => {
    const res = await httpRequest(`${baseUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
    const body = (await res.body.json()) as Record<string, unknown>;
    if (res.statusCode !== 200) throw new Error(`GET ${path} → ${res.statusCode}: ${JSON.stringify(body)}`);
    return body;
  };
  const ids = new Map<string, string>();
  const action = async (name: string) => {
    if (!ids.has(name)) {
      const list = await get(`/api/v2/dataactions?name=${encodeURIComponent(name)}`);
      ids.set(name, String((list.entities as { id: string }[])[0]?.id));
    }
    return ids.get(name)!;
  };
  return {
    async read(shown: ShownValue): Promise<unknown> {
      const id = await action(shown.action);
      const [field, name] = shown.path.split(".");
      if (field === "description" || field === "request" || field === "headers") {
        const doc = await get(`/api/v2/dataactions/${id}`);
        const config = (doc.config ?? {}) as {
          request?: Record<string, unknown>;
          headers?: Record<string, unknown>;
        };
        if (field === "description") return doc.description;
        if (field === "request") return config.request?.[shown.key];
        return config.headers?.[shown.path.slice("headers.".length)];
      }
      const path =
        field === "variables"
          ? `/api/v2/dataactions/${id}/variables`
          : `/api/v2/dataactions/${id}/environments/${shown.env}/variables`;
      const list = (await get(path)).variables as Record<string, unknown>[];
      const item = list.find((v) => v.name === name);
      const leaf = shown.key === "" ? shown.path.split(".")[2] : shown.key;
      return item?.[leaf ?? "value"];
    },
  };
}
