/**
 * Checks one emulator response against an OpenAPI 3.1 document: the operation exists, the status is
 * declared, required headers are there and well-formed, no contract header appears that the document
 * does not declare for that answer, and the body matches the media type's schema (ajv, JSON Schema
 * 2020-12, the dialect of OpenAPI 3.1). Returns the violations found, as readable lines.
 */
import { createRequire } from "node:module";
import type { Ajv2020, ValidateFunction } from "ajv/dist/2020.js";
import type { ResponseExchange } from "../../src/emulator/response-observers.js";

// biome-ignore lint/suspicious/noExplicitAny: an OpenAPI document is walked structurally
type Json = any;

/** ajv is loaded with the first checker, not by every test file that imports this module (most never start an emulator). */
function loadAjv(): typeof Ajv2020 {
  return (createRequire(import.meta.url)("ajv/dist/2020.js") as { Ajv2020: typeof Ajv2020 }).Ajv2020;
}

const DOC_ID = "https://cxda.invalid/openapi.json";

/** Headers whose presence is part of the contract: one the document does not declare is a violation. */
const CONTRACT_HEADERS = [
  "etag",
  "location",
  "retry-after",
  "idempotent-replayed",
  "www-authenticate",
  "ratelimit-limit",
  "ratelimit-remaining",
  "ratelimit-reset",
  "ratelimit-policy",
  "x-request-id",
];

const INVALID_FAULT = '"type":"urn:cxda:problem:invalid-fault"';

interface Operation {
  template: string;
  pattern: RegExp;
  methods: Record<string, Json>;
}

function pointer(...segments: string[]): string {
  return segments.map((s) => `/${s.replace(/~/g, "~0").replace(/\//g, "~1")}`).join("");
}

export class ContractChecker {
  private readonly ajv: Ajv2020;
  private readonly headerAjv: Ajv2020;
  private readonly operations: Operation[];
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(private readonly document: Json) {
    const options = { strict: false, validateFormats: false, validateSchema: false, allErrors: true };
    const Ajv = loadAjv();
    this.ajv = new Ajv(options);
    this.ajv.addSchema({ ...document, $id: DOC_ID });
    this.headerAjv = new Ajv({ ...options, coerceTypes: true });
    this.headerAjv.addSchema({ ...document, $id: DOC_ID });
    this.operations = Object.entries(document.paths as Record<string, Json>).map(([template, item]) => ({
      template,
      pattern: new RegExp(
        `^${template
          .split("/")
          .map((s) => (/^\{.+\}$/.test(s) ? "[^/]+" : s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
          .join("/")}$`,
      ),
      methods: item,
    }));
  }

  /** Violations of `exchange` against the document; [] when it conforms. */
  check(exchange: ResponseExchange): string[] {
    const where = `${exchange.method} ${exchange.path} → ${exchange.status}`;
    const out: string[] = [];
    const add = (text: string) => out.push(`${where}: ${text}`);
    if (!exchange.headers["x-request-id"]) add("no X-Request-Id header");
    const template = exchange.route?.replace(/:([^/]+)/g, "{$1}");
    const operation =
      template !== undefined
        ? this.operations.find((o) => o.template === template)
        : this.operations.find((o) => o.pattern.test(exchange.path));
    const method = exchange.method === "HEAD" ? "get" : exchange.method.toLowerCase();
    const op = operation?.methods[method];
    // The document's description says so: an injected fault, or a malformed X-Emulator-Fault header,
    // may answer any problem status on any path (an OAuth error on /oauth2/).
    const testHook = exchange.faulted || (exchange.status === 400 && exchange.body?.includes(INVALID_FAULT));
    if (testHook || template === undefined || !op) {
      // Not a documented operation (unknown path or method): a problem.
      if (template !== undefined && !op && !testHook)
        add(`the route ${exchange.route} answers ${exchange.method}, which the document does not describe`);
      if (exchange.status === 405 && !exchange.headers.allow) add("405 without an Allow header");
      // The token endpoint answers its faults as RFC 6749 errors; unknown paths and methods are problems.
      const schema =
        exchange.faulted && op && exchange.path.startsWith("/oauth2/") ? "OAuthError" : "Problem";
      if (exchange.method !== "HEAD") this.body(exchange, `#/components/schemas/${schema}`, add, true);
      return out;
    }
    const response = op.responses?.[String(exchange.status)] ?? op.responses?.default;
    if (!response) {
      add(
        `status ${exchange.status} is not declared for ${method.toUpperCase()} ${operation!.template} (declared: ${Object.keys(op.responses ?? {}).join(", ")})`,
      );
      return out;
    }
    const base = pointer("paths", operation!.template, method, "responses", String(exchange.status));
    this.headers(exchange, response, base, add);
    if (exchange.method === "HEAD") return out;
    const content = response.content as Record<string, Json> | undefined;
    const type = exchange.headers["content-type"]?.split(";")[0]?.trim().toLowerCase();
    if (!content) {
      if (exchange.body) add(`a body (${type ?? "no type"}) where the document declares none`);
      return out;
    }
    if (type === undefined || !(type in content)) {
      add(`Content-Type ${type ?? "(none)"} is not one of ${Object.keys(content).join(", ")}`);
      return out;
    }
    if (!type.includes("json")) return out;
    this.body(exchange, `${DOC_ID}#${base}${pointer("content", type, "schema")}`, add, false);
    return out;
  }

  private body(
    exchange: ResponseExchange,
    ref: string,
    add: (text: string) => void,
    anyProblem: boolean,
  ): void {
    if (exchange.body === undefined) return;
    let value: unknown;
    try {
      value = JSON.parse(exchange.body);
    } catch {
      add(`the body is not JSON: ${exchange.body.slice(0, 80)}`);
      return;
    }
    const id = anyProblem ? `${DOC_ID}${ref}` : ref;
    const validate = this.validator(this.ajv, id);
    if (!validate(value))
      add(
        `the body does not match ${ref.replace(DOC_ID, "")}: ${this.ajv.errorsText(validate.errors, { separator: "; " })} — body ${exchange.body.slice(0, 300)}`,
      );
  }

  private headers(
    exchange: ResponseExchange,
    response: Json,
    base: string,
    add: (text: string) => void,
  ): void {
    const declared = new Set<string>();
    for (const [name, raw] of Object.entries((response.headers ?? {}) as Record<string, Json>)) {
      const lower = name.toLowerCase();
      declared.add(lower);
      const definition = raw.$ref ? this.resolve(raw.$ref) : raw;
      const value = exchange.headers[lower];
      if (value === undefined) {
        if (definition.required) add(`the required header ${name} is missing`);
        continue;
      }
      const schemaRef = raw.$ref
        ? `${DOC_ID}${raw.$ref}/schema`
        : `${DOC_ID}#${base}${pointer("headers", name, "schema")}`;
      const validate = this.validator(this.headerAjv, `wrap:${schemaRef}`, {
        type: "object",
        properties: { value: { $ref: schemaRef } },
      });
      if (!validate({ value })) add(`header ${name}: ${JSON.stringify(value)} does not match its schema`);
    }
    for (const name of CONTRACT_HEADERS)
      if (exchange.headers[name] !== undefined && !declared.has(name))
        add(`header ${name} is sent but not declared for this answer`);
  }

  private resolve(ref: string): Json {
    let node: Json = this.document;
    for (const part of ref.replace(/^#\//, "").split("/"))
      node = node?.[part.replace(/~1/g, "/").replace(/~0/g, "~")];
    return node ?? {};
  }

  private validator(ajv: Ajv2020, key: string, schema?: object): ValidateFunction {
    let found = this.validators.get(key);
    if (!found) {
      found = ajv.compile(schema ?? { $ref: key });
      this.validators.set(key, found);
    }
    return found;
  }
}
