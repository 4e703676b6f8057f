// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${…} placeholders are cxda.yaml text, not template literals
/**
 * R8's project: a seeded `cxda.yaml` of N actions with dependencies, headers (a credential one from
 * `${env:…}`), variables (an encrypted one from `${env:…}`), overrides in three environments (a masked
 * one from `${env:…}`) and some date processing, written to a directory with its script files.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export const R8_ENVIRONMENTS = ["dev", "staging", "prod"] as const;

export interface R8Project {
  dir: string;
  file: string;
  names: string[];
  /** The `${env:…}` values the CLI needs (secret plaintext). */
  env: Record<string, string>;
  /** Values that must stay secret (an encrypted variable, a masked override). */
  secrets: { value: string; kind: string }[];
  /** Credential header values: returned with the action by the API, sealed at rest. */
  credentialHeaders: string[];
}

const SCRIPT = (i: number) =>
  `// R8 step ${i}: passes its input on with its position.\n// biome-ignore lint/correctness/noUnusedVariables: the Data Actions runtime calls main(context)\nfunction main(context) {\n  return { ...context.input, step: ${i} };\n}\n`;

export function r8Name(i: number): string {
  return `r8_step_${String(i).padStart(2, "0")}`;
}

/** Writes the project into `dir` (created); `random` draws the dependencies. */
export function writeR8Project(dir: string, count: number, random: () => number): R8Project {
  mkdirSync(join(dir, "scripts"), { recursive: true });
  const env = {
    R8_CRM_TOKEN: `r8-crm-${randomBytes(12).toString("hex")}`,
    R8_API_KEY: `r8-key-${randomBytes(12).toString("hex")}`,
    R8_QUEUE_SECRET: `r8-queue-${randomBytes(12).toString("hex")}`,
  };
  const names = Array.from({ length: count }, (_, i) => r8Name(i));
  const lines = ["apiVersion: cxda/v1", "", `environments: [${R8_ENVIRONMENTS.join(", ")}]`, "", "actions:"];
  for (let i = 0; i < count; i++) {
    const name = names[i]!;
    const http = i % 5 === 4;
    lines.push(`  ${name}:`);
    lines.push(`    type: ${http ? "HTTP" : "SCRIPT"}`);
    lines.push(`    description: Step ${i} of the R8 chain.`);
    if (http) {
      lines.push(
        "    request:",
        "      method: POST",
        `      urlTemplate: https://svc.example.com/r8/${i}/{id}`,
      );
    } else {
      writeFileSync(join(dir, "scripts", `${name}.js`), SCRIPT(i));
      lines.push(`    script: { file: scripts/${name}.js }`);
    }
    // One or two earlier actions, drawn: a DAG, so creates wait for their dependencies.
    const deps = new Set<string>();
    if (i > 0) {
      deps.add(names[Math.floor(random() * i)]!);
      if (i > 2 && random() < 0.5) deps.add(names[Math.floor(random() * i)]!);
    }
    if (deps.size > 0) lines.push(`    dependencies: [${[...deps].join(", ")}]`);
    lines.push("    headers:", `      X-Step: "${i}"`, "      X-Source: cxda-chaos");
    if (i % 3 === 0) lines.push("      Authorization: Bearer ${env:R8_CRM_TOKEN}");
    lines.push("    variables:", `      - { name: position, type: integer, value: ${i} }`);
    if (i % 2 === 0)
      lines.push('      - { name: apiKey, type: string, value: "${env:R8_API_KEY}", encrypted: true }');
    if (i % 4 === 1)
      lines.push(
        "      - name: weights",
        "        type: object",
        `        value: { step: ${i}, share: 0.5 }`,
      );
    lines.push("    overrides:");
    for (const envId of R8_ENVIRONMENTS) {
      lines.push(
        `      ${envId}:`,
        `        - { name: BASE_URL, value: "https://${envId}.example.com/r8/${i}", description: ${envId} service }`,
      );
      if (envId === "prod" && i % 3 === 2)
        lines.push('        - { name: QUEUE_SECRET, value: "${env:R8_QUEUE_SECRET}", masked: true }');
    }
    if (i % 7 === 3)
      lines.push(
        "    dateProcessing:",
        "      sourceField: call.endedAt",
        "      targetField: callback.dueAt",
        '      sourceTimestamp: "2024-03-10T01:30:00-05:00"',
        "      operation: ADD_OFFSET",
        `      offsetMinutes: ${30 * (i + 1)}`,
        "      timezone: America/New_York",
        "      precision: 0",
      );
  }
  const file = join(dir, "cxda.yaml");
  writeFileSync(file, `${lines.join("\n")}\n`);
  return {
    dir,
    file,
    names,
    env,
    secrets: [
      { value: env.R8_API_KEY, kind: "R8 encrypted variable" },
      { value: env.R8_QUEUE_SECRET, kind: "R8 masked override" },
    ],
    credentialHeaders: [`Bearer ${env.R8_CRM_TOKEN}`, env.R8_CRM_TOKEN],
  };
}
