/**
 * The OpenAPI document (docs/openapi.json): generated from the zod schemas, committed, served at
 * /openapi.json, rendered at /docs, and describing every route the emulator registers.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fetch } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROBLEMS } from "../../src/domain/problems.js";
import { ALL_SCOPES } from "../../src/emulator/config.js";
import { buildOpenApiDocument, openApiJson } from "../../src/emulator/openapi/document.js";
import { scratchDir } from "../helpers/cli.js";
import { type Body, type Emulator, startTestEmulator } from "./helpers.js";

const COMMITTED = resolve(import.meta.dirname, "../../docs/openapi.json");
const METHODS = ["get", "put", "post", "delete", "patch", "head", "options"];

// biome-ignore lint/suspicious/noExplicitAny: the document is walked structurally
const doc = buildOpenApiDocument() as any;

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startTestEmulator();
});
afterAll(() => emulator?.close());

describe("the OpenAPI document", () => {
  it("is committed as generated (regenerate with `npm run openapi`)", () => {
    expect(readFileSync(COMMITTED, "utf8")).toBe(openApiJson());
  });

  it("describes every route the emulator registers, and no other", () => {
    const documented = new Set<string>();
    for (const [path, item] of Object.entries(doc.paths as Record<string, object>))
      for (const method of Object.keys(item).filter((k) => METHODS.includes(k)))
        documented.add(`${method.toUpperCase()} ${path}`);
    const registered = new Set(
      emulator.routes
        // fastify serves HEAD wherever GET is; the document says so once, in its description.
        .filter(
          (r) => r.method !== "HEAD" || !emulator.routes.some((g) => g.method === "GET" && g.url === r.url),
        )
        .map((r) => `${r.method} ${r.url.replace(/:([^/]+)/g, "{$1}")}`),
    );
    expect(
      [...registered].filter((r) => !documented.has(r)),
      "routes missing from the document",
    ).toEqual([]);
    expect(
      [...documented].filter((d) => !registered.has(d)),
      "documented but not served",
    ).toEqual([]);
    expect(registered.size).toBeGreaterThan(20);
  });

  it("is OpenAPI 3.1 with OAuth 2 client credentials and every scope, dataactions:execute included", () => {
    expect(doc.openapi).toBe("3.1.0");
    const flows = doc.components.securitySchemes.oauth2.flows;
    expect(flows.clientCredentials.tokenUrl).toBe("/oauth2/token");
    expect(Object.keys(flows.clientCredentials.scopes).sort()).toEqual([...ALL_SCOPES].sort());
  });

  it("gives every /api/v2 operation a scope, the auth and rate-limit answers and their headers", () => {
    for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, Body>>)) {
      if (!path.startsWith("/api/v2")) continue;
      for (const [method, op] of Object.entries(item)) {
        const where = `${method} ${path}`;
        expect(op.security?.[0]?.oauth2?.[0], where).toMatch(/^dataactions:/);
        for (const status of ["401", "403", "429"])
          expect(op.responses[status], `${where} ${status}`).toBeDefined();
        expect(Object.keys(op.responses["429"].headers)).toContain("Retry-After");
        expect(Object.keys(op.responses["401"].headers)).toContain("WWW-Authenticate");
        for (const response of Object.values(op.responses) as { headers: object }[])
          expect(Object.keys(response.headers)).toEqual(
            expect.arrayContaining([
              "X-Request-Id",
              "RateLimit-Limit",
              "RateLimit-Remaining",
              "RateLimit-Reset",
            ]),
          );
      }
    }
    const create = doc.paths["/api/v2/dataactions"].post.responses;
    expect(Object.keys(create["201"].headers)).toEqual(
      expect.arrayContaining(["Location", "ETag", "Idempotent-Replayed"]),
    );
    expect(Object.keys(doc.paths["/api/v2/dataactions/{id}"].get.responses["200"].headers)).toContain("ETag");
  });

  it("has a problem schema per slug, with its type, and operations answer problem+json", () => {
    for (const [slug, { status }] of Object.entries(PROBLEMS)) {
      const id = `Problem${slug.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase())}`;
      const schema = doc.components.schemas[id];
      expect(schema, slug).toBeDefined();
      expect(schema.properties.type.const).toBe(`urn:cxda:problem:${slug}`);
      expect(schema.properties.status.const).toBe(status);
    }
    const conflict =
      doc.paths["/api/v2/dataactions"].post.responses["409"].content["application/problem+json"].schema;
    expect(JSON.stringify(conflict)).toContain("ProblemNameConflict");
  });
});

describe("docs/api.md", () => {
  const text = readFileSync(resolve(import.meta.dirname, "../../docs/api.md"), "utf8");

  it("names every operation of the document and links it", () => {
    for (const [path, item] of Object.entries(doc.paths as Record<string, object>))
      for (const method of Object.keys(item).filter((k) => METHODS.includes(k)))
        expect(text, `${method} ${path}`).toContain(`\`${method.toUpperCase()} ${path}\``);
    expect(text).toContain("[openapi.json](openapi.json)");
    expect(text).toContain("`/docs`");
  });

  it("explains every problem slug with its status", () => {
    for (const [slug, { status }] of Object.entries(PROBLEMS))
      expect(text, slug).toContain(`| \`${slug}\` | ${status} |`);
  });
});

describe("GET /openapi.json and GET /docs", () => {
  it("serves the document", async () => {
    const res = await fetch(`${emulator.url}/openapi.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await res.text()).toBe(openApiJson());
  });

  it("serves a reference page whose renderer comes from this server, not the internet", async () => {
    const page = await fetch(`${emulator.url}/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    expect(page.headers.get("content-security-policy")).toContain("connect-src 'self'");
    const html = await page.text();
    expect(html).toContain('src="/docs/api-reference.js"');
    expect(html).toContain('data-url="/openapi.json"');
    expect(html).not.toMatch(/https?:\/\//);
    const script = await fetch(`${emulator.url}/docs/api-reference.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get("content-type")).toMatch(/^text\/javascript/);
    const js = await script.text();
    expect(js.length).toBeGreaterThan(100_000);
    expect(js).toContain("createApiReference");
  });
});

describe("start-up cost", () => {
  it("loads the document builder and the renderer only when they are asked for (built CLI)", () => {
    const cwd = scratchDir();
    const log = join(cwd, "imports.log");
    const program = `
      import { appendFileSync } from "node:fs";
      const { startEmulator } = await import(${JSON.stringify(resolve(import.meta.dirname, "../../dist/emulator/index.js"))});
      const emu = await startEmulator({ port: 0, inMemory: true });
      appendFileSync(process.env.IMPORT_LOG, "STARTED\\n");
      const res = await fetch(emu.url + "/openapi.json");
      if (res.status !== 200) throw new Error("status " + res.status);
      await emu.close();`;
    const run = spawnSync(
      process.execPath,
      [
        "--import",
        resolve(import.meta.dirname, "../helpers/log-imports.mjs"),
        "--input-type=module",
        "-e",
        program,
      ],
      { cwd, encoding: "utf8", env: { ...process.env, IMPORT_LOG: log } },
    );
    expect(run.status, run.stderr).toBe(0);
    const [before, after] = readFileSync(log, "utf8").split("STARTED\n") as [string, string];
    expect(before).not.toContain("zod-openapi");
    expect(before).not.toContain("openapi/document.js");
    expect(before).not.toContain("@scalar");
    expect(after).toContain("zod-openapi");
  });
});
