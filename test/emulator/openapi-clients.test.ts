/**
 * Clients nobody here wrote, generated from docs/openapi.json: openapi-typescript turns the document into
 * types, a small openapi-fetch client written against them type-checks under `tsc --strict`, and the
 * same client lists, creates and reads an action on a running emulator.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import openapiTS, { astToString } from "openapi-typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Emulator, getToken, startTestEmulator } from "./helpers.js";

const ROOT = resolve(import.meta.dirname, "../..");
const DOCUMENT = join(ROOT, "docs/openapi.json");

const CLIENT = `import createClient from "openapi-fetch";
import type { components, paths } from "./schema.js";

type Action = components["schemas"]["Action"];

export async function roundTrip(baseUrl: string, token: string): Promise<{ created: Action; read: Action; listed: string[] }> {
  const client = createClient<paths>({ baseUrl, headers: { Authorization: \`Bearer \${token}\` } });
  const create = await client.POST("/api/v2/dataactions", {
    body: {
      name: "typed_client",
      type: "SCRIPT",
      script: { language: "JavaScript", content: "function main(context) { return context.input; }" },
    },
  });
  if (!create.data) throw new Error(\`create: \${create.response.status} \${create.error?.type}\`);
  const created: Action = create.data;
  const read = await client.GET("/api/v2/dataactions/{id}", { params: { path: { id: created.id } } });
  if (!read.data) throw new Error(\`read: \${read.response.status} \${read.error?.type}\`);
  const list = await client.GET("/api/v2/dataactions", { params: { query: { nameContains: "typed", pageSize: 10 } } });
  if (!list.data) throw new Error(\`list: \${list.response.status}\`);
  return { created, read: read.data, listed: list.data.entities.map((a) => a.name) };
}
`;

/** Misuses the types must refuse: if one compiles, its @ts-expect-error is unused and tsc fails. */
const MISUSE = `import createClient from "openapi-fetch";
import type { paths } from "./schema.js";

const client = createClient<paths>({ baseUrl: "http://127.0.0.1:1" });
export async function misuse(): Promise<void> {
  // @ts-expect-error type must be SCRIPT or HTTP
  await client.POST("/api/v2/dataactions", { body: { name: "x_x_x", type: "PYTHON" } });
  // @ts-expect-error the path parameter id is required
  await client.GET("/api/v2/dataactions/{id}", { params: { path: {} } });
  const res = await client.GET("/api/v2/dataactions");
  // @ts-expect-error entities hold actions, which have no field 'title'
  res.data?.entities[0]?.title;
}
`;

let emulator: Emulator;
let dir: string;
beforeAll(async () => {
  emulator = await startTestEmulator();
  // Inside the repository, so the generated client resolves openapi-fetch from its node_modules.
  mkdirSync(join(ROOT, "node_modules/.cache"), { recursive: true });
  dir = mkdtempSync(join(ROOT, "node_modules/.cache/cxda-openapi-client-"));
});
afterAll(async () => {
  await emulator?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("a TypeScript client generated from docs/openapi.json", () => {
  it("type-checks, and lists, creates and reads an action on the emulator", { timeout: 90_000 }, async () => {
    const types = astToString(await openapiTS(pathToFileURL(DOCUMENT)));
    writeFileSync(join(dir, "schema.ts"), types);
    writeFileSync(join(dir, "client.ts"), CLIENT);
    writeFileSync(join(dir, "misuse.ts"), MISUSE);
    writeFileSync(
      join(dir, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          module: "NodeNext",
          moduleResolution: "NodeNext",
          lib: ["ES2023", "DOM"],
          strict: true,
          noUncheckedIndexedAccess: true,
          noEmit: true,
          skipLibCheck: true,
          types: [],
        },
        files: ["schema.ts", "client.ts", "misuse.ts"],
      }),
    );
    writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }));
    const tsc = spawnSync(process.execPath, [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", dir], {
      encoding: "utf8",
    });
    expect(tsc.status, `${tsc.stdout}${tsc.stderr}`).toBe(0);

    const { roundTrip } = (await import(pathToFileURL(join(dir, "client.ts")).href)) as {
      roundTrip: (
        baseUrl: string,
        token: string,
      ) => Promise<{ created: { id: string; version: number }; read: { id: string }; listed: string[] }>;
    };
    const result = await roundTrip(emulator.url, await getToken(emulator));
    expect(result.created.version).toBe(1);
    expect(result.read.id).toBe(result.created.id);
    expect(result.listed).toEqual(["typed_client"]);
  });
});
