/** Inputs of the pure-work benchmarks: header matrices and a 64 KB script, built deterministically. */

/** `count` header matrices of 4–12 headers; every tenth one breaks a rule (so issues are built too). */
export function headerMatrices(count) {
  const out = [];
  for (let i = 0; i < count; i += 1) {
    const matrix = {
      "X-Source": "cxda",
      "X-Request-Origin": `bench-${i}`,
      Accept: "application/json",
      "X-Trace": `00-${i.toString(16).padStart(32, "0")}-${(i * 7).toString(16).padStart(16, "0")}-01`,
    };
    for (let h = 0; h < i % 9; h += 1) matrix[`X-Custom-${h}`] = `value ${h} of matrix ${i}`;
    if (i % 10 === 0) matrix["Bad Header"] = "has a space in its name";
    if (i % 20 === 5) matrix["X-Multi"] = "line\r\nbreak";
    out.push(matrix);
  }
  return out;
}

/** A valid ES2022 script with a `main`, as close to `bytes` (UTF-8) as whole functions allow. */
export function largeScript(bytes) {
  const head = "function main(context) {\n  return step0(context.input);\n}\n";
  const parts = [head];
  let size = Buffer.byteLength(head);
  for (let i = 0; ; i += 1) {
    const fn = `function step${i}(value) {
  const list = [${i}, ${i + 1}, ${i + 2}].map((n) => n * 2);
  const text = \`item \${value} → \${list.join(",")}\`;
  if (typeof value === "number" && value > ${i}) return { value, text, next: ${i + 1} };
  return text.length > 10 ? { text } : null;
}
`;
    const n = Buffer.byteLength(fn);
    if (size + n > bytes) break;
    parts.push(fn);
    size += n;
  }
  return parts.join("");
}

/**
 * The cxda.yaml of an apply benchmark: `count` SCRIPT actions named `<prefix>_00001`…, each with headers,
 * three variables (one encrypted, from `${env:<secretVar>}`) and an override in every environment.
 */
export function applyProjectYaml(prefix, count, secretVar, environments) {
  const lines = ["apiVersion: cxda/v1", "environments: [dev, staging, prod]", "actions:"];
  for (let i = 0; i < count; i += 1)
    lines.push(
      `  ${prefix}_${String(i + 1).padStart(5, "0")}:`,
      "    type: SCRIPT",
      `    description: Bench action ${i}.`,
      "    script: { file: main.js }",
      "    headers:",
      "      X-Source: cxda-bench",
      `      X-Index: "${i}"`,
      "    variables:",
      `      - { name: position, type: integer, value: ${i} }`,
      "      - { name: region, type: string, value: eu-west-1 }",
      `      - { name: apiKey, type: string, value: "\${env:${secretVar}}", encrypted: true }`,
      "    overrides:",
      ...environments.flatMap((env) => [
        `      ${env}:`,
        `        - { name: BASE_URL, value: "https://${env}.example.com/${i}" }`,
      ]),
    );
  return `${lines.join("\n")}\n`;
}
