// biome-ignore-all lint/suspicious/noTemplateCurlyInString: placeholders are literal ${…} text, not template literals
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { Redactor } from "../../src/audit/redactor.js";
import { editDistance } from "../../src/project/did-you-mean.js";
import {
  formatProblem,
  loadProject,
  type ValidateProjectOptions,
  validateProject,
} from "../../src/project/validate-project.js";

const EXAMPLE = resolve(import.meta.dirname, "../../examples/contact-center/cxda.yaml");
const EXAMPLE_ENV = {
  CRM_API_TOKEN: "crm-token-0123456789",
  CRM_API_KEY: "crm-key-0123456789",
  QUEUE_API_SECRET: "queue-secret-0123456789",
};

const SCRIPTS: Record<string, string> = {
  "/p/ok.js": "function main(context) {\n  return context.input;\n}\n",
  "/p/broken.js": "function main(context) {\n  return context.input +;\n}\n",
  "/p/secret.txt": "from-a-file-0123\n",
};
const readFile = (path: string) => {
  const text = SCRIPTS[path];
  if (text === undefined) throw Object.assign(new Error("no such file"), { code: "ENOENT" });
  return text;
};

function check(text: string, options: Partial<ValidateProjectOptions> = {}) {
  return validateProject(text, { fileName: "cxda.yaml", baseDir: "/p", env: {}, readFile, ...options });
}
const lines = (text: string, options: Partial<ValidateProjectOptions> = {}) =>
  check(text, options).problems.map(formatProblem);

const HEAD = "apiVersion: cxda/v1\nactions:\n";

describe("validateProject", () => {
  it("accepts the contact-center example and builds its desired state", () => {
    const result = loadProject(EXAMPLE, { env: EXAMPLE_ENV });
    expect(result.problems).toEqual([]);
    expect(result.ok).toBe(true);
    const project = result.project!;
    expect(project.environments).toEqual(["dev", "staging", "prod"]);
    expect(project.actions.map((a) => a.name)).toEqual([
      "normalize_phone",
      "crm_lookup",
      "lead_score",
      "route_to_queue",
      "callback_scheduler",
      "wrapup_notify",
    ]);
    const crm = project.actions.find((a) => a.name === "crm_lookup")!;
    expect(crm.headers.Authorization).toBe(`Bearer ${EXAMPLE_ENV.CRM_API_TOKEN}`);
    expect(crm.secretHeaders).toEqual(["Authorization"]);
    expect(crm.variables).toContainEqual({
      name: "timeoutMs",
      type: "integer",
      value: "2500",
      encrypted: false,
    });
    const score = project.actions.find((a) => a.name === "lead_score")!;
    expect(JSON.parse(score.variables!.find((v) => v.name === "weights")!.value)).toEqual({
      recency: 0.5,
      value: 0.3,
      engagement: 0.2,
    });
    expect(project.actions.find((a) => a.name === "callback_scheduler")!.dateProcessing).toMatchObject({
      offsetMinutes: 120,
      precision: 0,
    });
  });

  it("reports a YAML syntax error with its line and column", () => {
    expect(
      lines(`${HEAD}  alpha:\n    type: SCRIPT\n    dependencies: [a, b\n    script: {file: ok.js}\n`),
    ).toEqual([expect.stringMatching(/^cxda\.yaml:6:\d+: YAML syntax error: /)]);
  });

  it("reports unknown keys at the key, with a did-you-mean when one is close", () => {
    const out = lines(`apiVersion: cxda/v1\nactionz: {}\n`);
    expect(out).toEqual([
      "cxda.yaml:2:1: unknown key 'actionz' in the project; did you mean 'actions'? (allowed: apiVersion, environments, actions)",
    ]);
    const nested = lines(`${HEAD}  alpha:\n    type: SCRIPT\n    scirpt: {file: ok.js}\n    colour: red\n`);
    expect(nested).toContainEqual(
      expect.stringMatching(
        /^cxda\.yaml:5:5: unknown key 'scirpt' in action 'alpha'; did you mean 'script'\?/,
      ),
    );
    expect(nested).toContainEqual(
      expect.stringMatching(/^cxda\.yaml:6:5: unknown key 'colour' in action 'alpha' \(allowed: /),
    );
  });

  it("reports a dependency cycle across the file at the edge that closes it", () => {
    const text = `${HEAD}  alpha:\n    type: SCRIPT\n    script: {file: ok.js}\n    dependencies: [gamma]\n  beta:\n    type: SCRIPT\n    script: {file: ok.js}\n    dependencies: [alpha]\n  gamma:\n    type: SCRIPT\n    script: {file: ok.js}\n    dependencies: [beta]\n`;
    expect(check(text).problems).toEqual([
      expect.objectContaining({
        line: 6,
        column: 20,
        code: "dependency-cycle",
        message:
          "dependency cycle across the file: alpha → gamma → beta → alpha; remove one of these dependencies",
      }),
    ]);
  });

  it("reports a duplicate action name where it is repeated, naming the first line", () => {
    const text = `${HEAD}  alpha:\n    type: SCRIPT\n    script: {file: ok.js}\n  alpha:\n    type: SCRIPT\n    script: {file: ok.js}\n`;
    expect(lines(text)).toEqual([
      "cxda.yaml:6:3: duplicate action name 'alpha' (first defined at line 3); action names are unique: rename or remove one",
    ]);
  });

  it("reports a missing env placeholder at the value that uses it, without stopping", () => {
    const text = `${HEAD}  alpha:\n    type: SCRIPT\n    script: {file: ok.js}\n    headers:\n      Authorization: Bearer \${env:MISSING_TOKEN}\n    variables:\n      - {name: key, type: string, value: "\${env:MISSING_KEY}", encrypted: true}\n`;
    expect(lines(text)).toEqual([
      expect.stringMatching(/^cxda\.yaml:7:22: environment variable MISSING_TOKEN is not set/),
      expect.stringMatching(/^cxda\.yaml:9:42: environment variable MISSING_KEY is not set/),
    ]);
    expect(check(text, { env: { MISSING_TOKEN: "t0123456789", MISSING_KEY: "k0123456789" } }).ok).toBe(true);
  });

  it("refuses literal secrets unless allowed, and reads file placeholders relative to the project", () => {
    const text = `${HEAD}  alpha:\n    type: SCRIPT\n    script: {file: ok.js}\n    variables:\n      - {name: key, type: string, value: hunter2-literal, encrypted: true}\n      - {name: other, type: string, value: "\${file:secret.txt}", encrypted: true}\n    overrides:\n      prod:\n        - {name: TOKEN, value: literal-token-1, masked: true}\n`;
    const result = check(text);
    expect(result.problems.map((p) => [p.line, p.column])).toEqual([
      [7, 42],
      [11, 32],
    ]);
    expect(result.problems[0]!.message).toMatch(
      /variable 'key' is encrypted, so its value must come from \$\{env:NAME\}/,
    );
    expect(result.problems[1]!.message).toMatch(/override 'TOKEN' in prod is masked/);
    expect(JSON.stringify(result.problems)).not.toMatch(/hunter2|literal-token/);
    const allowed = check(text, { allowLiteralSecrets: true });
    expect(allowed.ok).toBe(true);
    expect(allowed.project!.actions[0]!.variables![1]!.value).toBe("from-a-file-0123");
  });

  it("points a script syntax error into the script file", () => {
    const text = `${HEAD}  alpha:\n    type: SCRIPT\n    script: {file: broken.js}\n  beta:\n    type: SCRIPT\n    script: {file: missing.js}\n`;
    expect(lines(text)).toEqual([
      expect.stringMatching(
        /^cxda\.yaml:8:20: actions\.beta\.script\.file: cannot read missing\.js: no such file/,
      ),
      expect.stringMatching(/^broken\.js:2:25: action alpha: script\.content: syntax error/),
    ]);
  });

  it("applies every domain rule at once with positions: names, headers, variables, overrides, dates, dependencies", () => {
    const text = [
      "apiVersion: cxda/v1",
      "environments: [dev, prod]",
      "actions:",
      "  ab:",
      "    type: HTTP",
      "    request: {method: GET, urlTemplate: 'ftp://x'}",
      "    dependencies: [alpah]",
      "    headers: {Host: example.com}",
      "    variables:",
      "      - {name: limit, type: integer, value: ten}",
      "    overrides:",
      "      prdo:",
      "        - {name: url, value: 'a;b'}",
      "    dateProcessing: {sourceField: a, targetField: b, sourceTimestamp: '2024-02-30T00:00:00Z', operation: ADD_OFFSET, offsetMinutes: 5, timezone: Mars/Olympus}",
      "  alpha:",
      "    type: FLOW",
      "",
    ].join("\n");
    const problems = check(text).problems;
    const at = problems.map((p) => `${p.line}:${p.column} ${p.code}`);
    expect(at).toEqual([
      "4:3 validation-failed", // name too short
      "6:41 validation-failed", // urlTemplate
      "7:20 unknown-dependency",
      "8:15 validation-failed", // reserved header (at the name)
      "10:45 validation-failed", // integer value
      "12:7 not-found", // unknown environment
      "13:18 validation-failed", // override name
      "13:30 validation-failed", // metacharacter
      expect.stringMatching(/^14:\d+ /), // impossible date
      expect.stringMatching(/^14:\d+ /), // unknown zone
      "16:11 validation-failed", // bad type
    ]);
    expect(problems[2]!.message).toMatch(/did you mean 'alpha'\?/);
    expect(problems[5]!.message).toMatch(/did you mean 'prod'\?/);
  });

  it("never throws, whatever the text", () => {
    for (const text of [
      "",
      "- a\n- b\n",
      "apiVersion: 1\nactions: 5\n",
      "{",
      "actions:\n  x: null\n",
      "a: *b\n",
    ]) {
      expect(() => check(text)).not.toThrow();
      expect(check(text).ok).toBe(false);
    }
  });
});

describe("editDistance", () => {
  it.each([
    ["script", "scirpt", 1],
    ["actions", "actionz", 1],
    ["dependencies", "dependecies", 1],
    ["headers", "header", 1],
    ["type", "environments", 11],
  ])("%s ↔ %s = %i", (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
  });
});

describe("placeholders in a project (confinement, plain and secret positions)", () => {
  // A real directory: confinement resolves symlinks on disk.
  const root = mkdtempSync(join(tmpdir(), "cxda-confine-"));
  const project = join(root, "project");
  mkdirSync(join(project, "secrets"), { recursive: true });
  mkdirSync(join(root, "outside"));
  writeFileSync(join(root, "outside", "stolen.txt"), "outside-value-0123\n");
  writeFileSync(join(project, "secrets", "crm.txt"), "crm-secret-0123456\n");
  writeFileSync(join(project, "ok.js"), "function main(context) {\n  return context.input;\n}\n");
  symlinkSync(join(root, "outside", "stolen.txt"), join(project, "link.txt"));
  const file = join(project, "cxda.yaml");
  const run = (body: string, options: Partial<ValidateProjectOptions> = {}) => {
    writeFileSync(file, `${HEAD}  alpha:\n    type: SCRIPT\n    script: {file: ok.js}\n${body}`);
    return loadProject(file, { env: {}, ...options });
  };

  it.each([
    ["a parent path", "${file:../outside/stolen.txt}"],
    ["an absolute path", `\${file:${join(root, "outside", "stolen.txt")}}`],
    ["a symlink that leads out", "${file:link.txt}"],
  ])("refuses %s before reading it, unless allowed", (_what, placeholder) => {
    const body = `    variables:\n      - {name: token, type: string, value: "${placeholder}", encrypted: true}\n`;
    const refused = run(body);
    expect(refused.ok).toBe(false);
    expect(refused.problems).toHaveLength(1);
    expect(refused.problems[0]!.message).toMatch(
      /reads a file outside the project directory .*; .* or pass --allow-files-outside-project$/,
    );
    expect(refused.problems[0]).toMatchObject({ line: 7, path: "actions.alpha.variables[0].value" });
    expect(JSON.stringify(refused)).not.toContain("outside-value");
    const allowed = run(body, { allowFilesOutsideProject: true });
    expect(allowed.problems).toEqual([]);
    expect(allowed.project!.actions[0]!.variables![0]!.value).toBe("outside-value-0123");
  });

  it("confines script files the same way", () => {
    writeFileSync(join(root, "outside", "x.js"), "function main() {}\n");
    writeFileSync(file, `${HEAD}  alpha:\n    type: SCRIPT\n    script: {file: ../outside/x.js}\n`);
    const result = loadProject(file, { env: {} });
    expect(result.problems.map((p) => p.message)).toEqual([
      expect.stringMatching(/^actions\.alpha\.script\.file: .* is outside the project directory/),
    ]);
  });

  it("reads a file inside the project, and marks plain values with their source", () => {
    const result = run(
      [
        "    description: 'in ${env:REGION}'",
        "    headers:",
        "      X-Region: ${env:REGION}",
        "      Authorization: Bearer ${file:secrets/crm.txt}",
        "    variables:",
        "      - {name: region, type: string, value: '${env:REGION}'}",
        "",
      ].join("\n"),
      { env: { REGION: "eu-west-1" } },
    );
    expect(result.problems).toEqual([]);
    const alpha = result.project!.actions[0]!;
    expect(alpha.headers).toEqual({ "X-Region": "eu-west-1", Authorization: "Bearer crm-secret-0123456" });
    expect(alpha.secretHeaders).toEqual(["Authorization"]);
    expect(alpha.sources).toEqual({
      description: "${env:REGION}",
      "headers.X-Region": "${env:REGION}",
      "variables.region.value": "${env:REGION}",
    });
  });

  it("registers only secret values with the redactor: plain ones are stored readable, so shown", () => {
    const redactor = new Redactor();
    run("    headers:\n      X-Region: ${env:REGION}\n      Authorization: Bearer ${env:CRM_TOKEN}\n", {
      env: { REGION: "eu-west-1", CRM_TOKEN: "tok-0123456789abcdef" },
      redactor,
    });
    expect(redactor.redactString("eu-west-1 tok-0123456789abcdef")).toBe("eu-west-1 ***");
  });

  it.each([
    [
      "a plain header",
      "    headers:\n      X-Tenant: ${env:CI_TOKEN}\n",
      "header 'X-Tenant'",
      "send it in a header",
    ],
    [
      "a plain variable",
      "    variables:\n      - {name: t, type: string, value: '${env:API_KEY}'}\n",
      "variable 't'",
      "set encrypted: true",
    ],
    [
      "a description",
      "    description: ${file:secrets/crm.txt}\n",
      "the description",
      "credentials belong in",
    ],
  ])(
    "refuses a credential-like placeholder in %s, naming the field and the fix",
    (_what, body, field, fix) => {
      const result = run(body, { env: { CI_TOKEN: "x-0123456789", API_KEY: "k-0123456789" } });
      expect(result.problems).toHaveLength(1);
      expect(result.problems[0]!.message).toContain("looks like a credential");
      expect(result.problems[0]!.message).toContain(`${field} is stored readable`);
      expect(result.problems[0]!.message).toContain(fix);
    },
  );

  it("refuses one variable feeding both a secret and a plain position", () => {
    const result = run("    headers:\n      Authorization: ${env:SHARED}\n      X-Trace: ${env:SHARED}\n", {
      env: { SHARED: "shared-0123456789" },
    });
    expect(result.problems.map((p) => [p.path, p.message])).toEqual([
      [
        "actions.alpha.headers.X-Trace",
        expect.stringContaining("${env:SHARED} also feeds the secret actions.alpha.headers.Authorization"),
      ],
    ]);
  });

  it("checks the structure without secret values when values are not required", () => {
    const body = [
      "    headers:",
      "      Authorization: Bearer ${env:CRM_TOKEN}",
      "    variables:",
      "      - {name: key, type: string, value: '${file:secrets/missing.txt}', encrypted: true}",
      "      - {name: n, type: integer, value: ten}",
      "",
    ].join("\n");
    const structure = run(body, { requireValues: false });
    expect(structure.problems.map((p) => p.path)).toEqual(["actions.alpha.variables[1].value"]);
    expect(structure.unresolved).toEqual(["${env:CRM_TOKEN}", "${file:secrets/missing.txt}"]);
    expect(run(body).problems.map((p) => p.path)).toEqual([
      "actions.alpha.headers.Authorization",
      "actions.alpha.variables[0].value",
      "actions.alpha.variables[1].value",
    ]);
  });
});
