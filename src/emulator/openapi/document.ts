/**
 * The OpenAPI 3.1 document of the API the emulator serves (`GET /openapi.json`, committed as
 * docs/openapi.json). Built with zod-openapi from the zod schemas of `domain/` and `wire-schemas.ts`,
 * so the document and the request rules share one source. Loaded only when the document is asked for.
 */
import { z } from "zod";
import { createDocument, type ZodOpenApiOperationObject, type ZodOpenApiResponseObject } from "zod-openapi";
import { KNOWN_CAPABILITIES } from "../../domain/capabilities.js";
import { PROBLEMS, type ProblemSlug } from "../../domain/problems.js";
import type { ALL_SCOPES } from "../config.js";
import { DISCOVERY_PATH, OAUTH_METADATA_PATH, REVOCATION_PATH } from "../routes/oauth.js";
import { DOCS_PATH, DOCS_SCRIPT_PATH, OPENAPI_PATH } from "./paths.js";
import * as W from "./wire-schemas.js";

type Scope = (typeof ALL_SCOPES)[number];

// ---------- headers ----------

const header = (id: string, description: string, schema: z.ZodType = z.string()) =>
  schema.meta({ description, header: { id } });

const H = {
  requestId: header("X-Request-Id", "Identifies this request in the emulator's log (a UUID)."),
  rateLimitLimit: header(
    "RateLimit-Limit",
    "Requests allowed in the current window (draft-ietf-httpapi-ratelimit-headers; docs/api.md).",
    z.coerce.number().int().min(0),
  ),
  rateLimitRemaining: header(
    "RateLimit-Remaining",
    "Requests left in the window.",
    z.coerce.number().int().min(0),
  ),
  rateLimitReset: header(
    "RateLimit-Reset",
    "Seconds until the window resets.",
    z.coerce.number().int().min(0),
  ),
  rateLimitPolicy: header("RateLimit-Policy", "The quota policy, e.g. `20;w=60`."),
  retryAfter: header("Retry-After", "Seconds to wait before retrying.", z.coerce.number().int().min(0)),
  etag: header("ETag", 'The version of the resource, quoted: `"3"`.', z.string().regex(/^"\d+"$/)),
  location: header("Location", "Path of the created resource."),
  revisionEtag: header(
    "ETag",
    'The tenant revision the snapshot was read at, quoted: `"42"`.',
    z.string().regex(/^"\d+"$/),
  ),
  replayed: header(
    "Idempotent-Replayed",
    "`true` when this answer is a replay of an earlier request with the same Idempotency-Key.",
    z.enum(["true"]),
  ),
  wwwAuthenticate: header("WWW-Authenticate", "The authentication challenge (RFC 6750 / RFC 7617)."),
  cacheControl: header("Cache-Control", "Caching directives."),
  tenantRevision: header(
    "X-Tenant-Revision",
    "The tenant's revision after this request: +1 per committed write of its actions, variables, overrides or global variables (docs/api.md). On every response to a request with a valid token.",
    z.coerce.number().int().min(0),
  ),
};

// ---------- responses ----------

interface OperationTraits {
  /** Under /api/v2: bearer token, rate limit headers. */
  api: boolean;
  /** A POST that honours Idempotency-Key. */
  idempotent: boolean;
}

function baseHeaders(traits: OperationTraits): Record<string, z.ZodType> {
  return {
    "X-Request-Id": H.requestId,
    ...(traits.api
      ? {
          "RateLimit-Limit": H.rateLimitLimit,
          "RateLimit-Remaining": H.rateLimitRemaining,
          "RateLimit-Reset": H.rateLimitReset,
          "RateLimit-Policy": H.rateLimitPolicy,
          "X-Tenant-Revision": H.tenantRevision.optional(),
        }
      : {}),
    ...(traits.idempotent ? { "Idempotent-Replayed": H.replayed.optional() } : {}),
  };
}

/** Headers of a problem answer, by status. */
function problemHeaders(status: number, traits: OperationTraits): Record<string, z.ZodType> {
  const headers = baseHeaders(traits);
  if (status === 401) headers["WWW-Authenticate"] = H.wwwAuthenticate;
  if (status === 403) headers["WWW-Authenticate"] = H.wwwAuthenticate.optional();
  if (status === 429) headers["Retry-After"] = H.retryAfter;
  if (status === 409 || status === 503) headers["Retry-After"] = H.retryAfter.optional();
  if (status === 409 || status === 412) headers.ETag = H.etag.optional();
  return headers;
}

const STATUS_TEXT: Record<number, string> = {
  200: "OK",
  201: "Created",
  202: "Accepted",
  204: "No Content",
  304: "Not Modified",
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  406: "Not Acceptable",
  409: "Conflict",
  412: "Precondition Failed",
  410: "Gone",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Content",
  429: "Too Many Requests",
  431: "Request Header Fields Too Large",
  500: "Internal Server Error",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

/** Problem answers grouped by status; each body is one of the slugs' schemas. */
function problemResponses(
  slugs: Iterable<ProblemSlug>,
  traits: OperationTraits,
): Record<string, ZodOpenApiResponseObject> {
  const byStatus = new Map<number, ProblemSlug[]>();
  for (const slug of new Set(slugs)) {
    const status = PROBLEMS[slug].status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), slug]);
  }
  const responses: Record<string, ZodOpenApiResponseObject> = {};
  for (const [status, list] of [...byStatus].sort((a, b) => a[0] - b[0])) {
    const schemas = list.sort().map((slug) => W.PROBLEM_SCHEMAS[slug]);
    const schema = schemas.length === 1 ? schemas[0]! : z.union(schemas as unknown as [z.ZodType, z.ZodType]);
    responses[String(status)] = {
      description: `${STATUS_TEXT[status] ?? "Error"}: ${list.map((s) => `\`${s}\``).join(", ")}.`,
      headers: z.object(problemHeaders(status, traits)),
      content: { "application/problem+json": { schema } },
    };
  }
  return responses;
}

interface Success {
  description: string;
  schema?: z.ZodType;
  contentType?: string;
  headers?: Record<string, z.ZodType>;
}

function successResponse(success: Success, traits: OperationTraits): ZodOpenApiResponseObject {
  return {
    description: success.description,
    headers: z.object({ ...baseHeaders(traits), ...(success.headers ?? {}) }),
    ...(success.schema
      ? { content: { [success.contentType ?? "application/json"]: { schema: success.schema } } }
      : {}),
  };
}

// ---------- operations ----------

/** Problems any /api/v2 operation may answer. */
const API_PROBLEMS: ProblemSlug[] = [
  "unauthorized",
  "insufficient-scope",
  "rate-limited",
  "internal-error",
  // The database does not answer (PostgreSQL restarting or unreachable): retry after Retry-After.
  "service-unavailable",
  // A body sent with any method (even DELETE or GET) is checked for size and media type first.
  "payload-too-large",
  "unsupported-media-type",
];
/** Problems of any request with a JSON body. */
const BODY_PROBLEMS: ProblemSlug[] = [
  "malformed-json",
  "validation-failed",
  "payload-too-large",
  "unsupported-media-type",
];
/** Idempotency-Key problems of a POST. */
const IDEMPOTENCY_PROBLEMS: ProblemSlug[] = [
  "validation-failed",
  "idempotency-key-reuse",
  "idempotency-key-in-use",
];
/** If-Match and body `version` problems of a versioned write. */
const VERSION_PROBLEMS: ProblemSlug[] = ["validation-failed", "precondition-failed", "version-conflict"];

interface OperationSpec {
  id: string;
  summary: string;
  description?: string;
  tag: string;
  /** The scope the operation needs; undefined: no token. */
  scope?: Scope;
  path?: z.ZodObject;
  query?: z.ZodObject;
  headers?: z.ZodObject;
  body?: { schema: z.ZodType; types?: string[]; required?: boolean };
  success: Record<number, Success>;
  problems?: ProblemSlug[];
  idempotent?: boolean;
}

function operation(spec: OperationSpec): ZodOpenApiOperationObject {
  const api = spec.scope !== undefined;
  const traits: OperationTraits = { api, idempotent: spec.idempotent === true };
  const slugs: ProblemSlug[] = [
    ...(api ? API_PROBLEMS : []),
    ...(spec.body ? BODY_PROBLEMS : []),
    ...(spec.idempotent ? IDEMPOTENCY_PROBLEMS : []),
    ...(spec.problems ?? []),
  ];
  const headerParams = spec.idempotent
    ? z.object({
        "Idempotency-Key": z
          .string()
          .regex(/^[\x21-\x7E]{1,255}$/)
          .optional()
          .meta({
            description: "Makes a retry safe: the same key and body replay the first answer for 24 h.",
          }),
        ...(spec.headers?.shape ?? {}),
      })
    : spec.headers;
  const responses: Record<string, ZodOpenApiResponseObject> = {};
  for (const [status, success] of Object.entries(spec.success))
    responses[status] = successResponse(success, traits);
  Object.assign(responses, problemResponses(slugs, traits));
  return {
    operationId: spec.id,
    summary: spec.summary,
    ...(spec.description ? { description: spec.description } : {}),
    tags: [spec.tag],
    ...(spec.scope ? { security: [{ oauth2: [spec.scope] }] } : { security: [] }),
    ...(spec.path || spec.query || headerParams
      ? {
          requestParams: {
            ...(spec.path ? { path: spec.path } : {}),
            ...(spec.query ? { query: spec.query } : {}),
            ...(headerParams ? { header: headerParams } : {}),
          },
        }
      : {}),
    ...(spec.body
      ? {
          requestBody: {
            required: spec.body.required ?? true,
            content: Object.fromEntries(
              (spec.body.types ?? ["application/json"]).map((type) => [type, { schema: spec.body!.schema }]),
            ),
          },
        }
      : {}),
    responses,
  };
}

const ActionId = z.object({ id: z.string().meta({ description: "The action's id." }) });
const ActionEnv = ActionId.extend({
  envId: z.string().meta({ description: "An environment id (GET /api/v2/environments)." }),
});
const ActionBuild = ActionId.extend({ buildId: z.string().meta({ description: "The build's id." }) });
const IfMatch = z.object({
  "If-Match": z
    .string()
    .optional()
    .meta({ description: 'The ETag read, e.g. `"3"`; a mismatch answers 412. Weak tags never match.' }),
});
const ListQuery = z.object({
  page: z.coerce.number().int().min(1).optional().meta({ description: "1-based page; default 1." }),
  pageSize: z.coerce
    .number()
    .int()
    .min(1)
    .max(100)
    .optional()
    .meta({ description: "Entities per page, 1–100; default 25." }),
  name: z.string().optional().meta({ description: "Exact name (names compare without regard to case)." }),
  nameContains: z.string().optional().meta({ description: "Substring of the name." }),
  expand: z.string().optional().meta({ description: "Comma-separated: `variables`, `environments`." }),
});

const JSON_OR_MERGE = ["application/json", "application/merge-patch+json"];
const ACTIONS = "/api/v2/dataactions";

function discovery(id: string, summary: string): ZodOpenApiOperationObject {
  return operation({
    id,
    summary,
    description:
      "Issuer, token endpoint, grants and scopes. The issuer is --public-url when set, else the address the client used (docs/emulator.md).",
    tag: "OAuth",
    success: {
      200: {
        description: "Authorization server metadata.",
        schema: W.AuthorizationServerMetadata,
        headers: { "Cache-Control": H.cacheControl },
      },
    },
  });
}

function oauthResponses(
  success: ZodOpenApiResponseObject = {
    description: "A bearer token.",
    headers: z.object({ "X-Request-Id": H.requestId, "Cache-Control": H.cacheControl }),
    content: { "application/json": { schema: W.TokenResponse } },
  },
  invalid = "invalid_request, invalid_grant, invalid_scope or unsupported_grant_type.",
): Record<string, ZodOpenApiResponseObject> {
  const error = (description: string, headers: Record<string, z.ZodType> = {}) => ({
    description,
    headers: z.object({
      "X-Request-Id": H.requestId,
      "Cache-Control": H.cacheControl.optional(),
      ...headers,
    }),
    content: { "application/json": { schema: W.OAuthErrorBody } },
  });
  return {
    "200": success,
    "400": error(invalid),
    "401": error("invalid_client: unknown client or wrong secret.", {
      "WWW-Authenticate": H.wwwAuthenticate,
    }),
    "413": error("The body is over 1 MiB."),
    "415": error("Not application/x-www-form-urlencoded."),
    "429": error("slow_down: too many failed attempts for this client or address.", {
      "Retry-After": H.retryAfter,
    }),
    "500": error("server_error."),
    "503": error("server_error: the database does not answer; retry after Retry-After.", {
      "Retry-After": H.retryAfter,
    }),
  };
}

/** No scheme (client_id/client_secret in the body) or HTTP Basic. */
const TOKEN_SECURITY: Record<string, string[]>[] = [{}, { clientBasic: [] }];

function paths() {
  const actionTag = "Actions";
  return {
    [OAUTH_METADATA_PATH]: { get: discovery("getAuthorizationServerMetadata", "RFC 8414 metadata") },
    [DISCOVERY_PATH]: {
      get: discovery("getOpenIdConfiguration", "The same metadata at the OpenID discovery path"),
    },
    "/oauth2/token": {
      post: {
        operationId: "requestToken",
        summary: "Get an access token (client credentials or access key)",
        description:
          "RFC 6749 token endpoint. Authenticate the client with HTTP Basic or client_id/client_secret in the body, not both.",
        tags: ["OAuth"],
        security: TOKEN_SECURITY,
        requestBody: {
          required: true,
          content: { "application/x-www-form-urlencoded": { schema: W.TokenRequest } },
        },
        responses: oauthResponses(),
      } satisfies ZodOpenApiOperationObject,
    },
    [REVOCATION_PATH]: {
      post: {
        operationId: "revokeToken",
        summary: "Revoke an access token",
        description:
          "RFC 7009 revocation. Authenticate the client the token was issued to, as at /oauth2/token. Once answered, the token is refused by every replica. A token that is unknown, expired or already revoked answers 200 too.",
        tags: ["OAuth"],
        security: TOKEN_SECURITY,
        requestBody: {
          required: true,
          content: { "application/x-www-form-urlencoded": { schema: W.RevocationRequest } },
        },
        responses: oauthResponses(
          {
            description: "Revoked (or there was no such live token). No body.",
            headers: z.object({ "X-Request-Id": H.requestId, "Cache-Control": H.cacheControl }),
          },
          "invalid_request (no token), unsupported_token_type, or unauthorized_client (the token was issued to another client).",
        ),
      } satisfies ZodOpenApiOperationObject,
    },
    [OPENAPI_PATH]: {
      get: operation({
        id: "getOpenApiDocument",
        summary: "This OpenAPI document",
        tag: "Meta",
        success: {
          200: { description: "OpenAPI 3.1 document.", schema: z.looseObject({ openapi: z.string() }) },
        },
      }),
    },
    "/healthz": {
      get: operation({
        id: "getHealth",
        summary: "Liveness: the process is up",
        description:
          "No token needed; not rate limited. For a load balancer's or an orchestrator's liveness probe.",
        tag: "Meta",
        success: {
          200: {
            description: "The process answers.",
            schema: z
              .strictObject({
                status: z.literal("ok"),
                replica: z.string().meta({
                  description:
                    "The id of the replica that answered (`--replica-id`, or made at start); faults and the request log of the test hooks are this replica's own.",
                }),
              })
              .meta({ id: "Health" }),
          },
        },
      }),
    },
    "/readyz": {
      get: operation({
        id: "getReadiness",
        summary: "Readiness: the database answers and new requests are taken",
        description:
          "No token needed; not rate limited. 503 with Retry-After while the database does not answer.",
        tag: "Meta",
        success: {
          200: {
            description: "Ready for traffic.",
            schema: z
              .strictObject({
                status: z.literal("ready"),
                checks: z.strictObject({ database: z.literal("ok") }),
              })
              .meta({ id: "Readiness" }),
          },
        },
        problems: ["service-unavailable"],
      }),
    },
    [DOCS_PATH]: {
      get: operation({
        id: "getApiReference",
        summary: "API reference for people (HTML)",
        tag: "Meta",
        success: {
          200: {
            description: "An HTML page rendering this document.",
            schema: z.string(),
            contentType: "text/html",
          },
        },
      }),
    },
    [DOCS_SCRIPT_PATH]: {
      get: operation({
        id: "getApiReferenceScript",
        summary: "The script of the API reference page",
        tag: "Meta",
        success: {
          200: { description: "JavaScript.", schema: z.string(), contentType: "text/javascript" },
        },
        problems: ["not-found"],
      }),
    },
    [ACTIONS]: {
      get: operation({
        id: "listActions",
        summary: "List actions",
        tag: actionTag,
        scope: "dataactions:read",
        query: ListQuery,
        success: { 200: { description: "A page of actions.", schema: W.ActionList } },
        problems: ["validation-failed", "secret-unreadable"],
      }),
      post: operation({
        id: "createAction",
        summary: "Create an action",
        tag: actionTag,
        scope: "dataactions:write",
        body: { schema: W.ActionInput },
        idempotent: true,
        success: {
          201: {
            description: "The created action.",
            schema: W.Action,
            headers: { Location: H.location, ETag: H.etag },
          },
        },
        problems: [
          "script-syntax",
          "unknown-dependency",
          "dependency-cycle",
          "name-conflict",
          "secret-unreadable",
        ],
      }),
    },
    [`${ACTIONS}/{id}`]: {
      get: operation({
        id: "getAction",
        summary: "Read an action",
        tag: actionTag,
        scope: "dataactions:read",
        path: ActionId,
        success: { 200: { description: "The action.", schema: W.Action, headers: { ETag: H.etag } } },
        problems: ["not-found", "secret-unreadable"],
      }),
      put: operation({
        id: "replaceAction",
        summary: "Replace an action",
        tag: actionTag,
        scope: "dataactions:write",
        path: ActionId,
        headers: IfMatch,
        body: { schema: W.ActionInput },
        success: {
          200: { description: "The action as stored.", schema: W.Action, headers: { ETag: H.etag } },
        },
        problems: [
          ...VERSION_PROBLEMS,
          "not-found",
          "action-locked",
          "script-syntax",
          "unknown-dependency",
          "dependency-cycle",
          "name-conflict",
          "has-dependents",
          "secret-unreadable",
        ],
      }),
      patch: operation({
        id: "patchAction",
        summary: "Change fields of an action (JSON merge patch, RFC 7396)",
        tag: actionTag,
        scope: "dataactions:write",
        path: ActionId,
        headers: IfMatch,
        body: { schema: W.ActionInput.partial().meta({ id: "ActionPatch" }), types: JSON_OR_MERGE },
        success: {
          200: { description: "The action as stored.", schema: W.Action, headers: { ETag: H.etag } },
        },
        problems: [
          ...VERSION_PROBLEMS,
          "not-found",
          "action-locked",
          "script-syntax",
          "unknown-dependency",
          "dependency-cycle",
          "name-conflict",
          "has-dependents",
          "secret-unreadable",
        ],
      }),
      delete: operation({
        id: "deleteAction",
        summary: "Delete an action (its variables, overrides and builds go with it)",
        tag: actionTag,
        scope: "dataactions:delete",
        path: ActionId,
        headers: IfMatch,
        success: { 204: { description: "Deleted." } },
        problems: [
          "validation-failed",
          "precondition-failed",
          "not-found",
          "action-locked",
          "has-dependents",
        ],
      }),
    },
    [`${ACTIONS}/{id}/test`]: {
      post: operation({
        id: "testAction",
        summary: "Run an action in the sandbox",
        description:
          "Secret variables are decrypted for the script only when the token carries dataactions:execute; otherwise they read `***` and are named in secretsWithheld.",
        tag: actionTag,
        scope: "dataactions:write",
        path: ActionId,
        body: { schema: W.TestRunRequest },
        idempotent: true,
        success: {
          200: { description: "The run's result (also when the script failed).", schema: W.TestRunResult },
        },
        problems: ["not-found", "service-unavailable", "secret-unreadable"],
      }),
    },
    [`${ACTIONS}/{id}/variables`]: {
      get: operation({
        id: "getActionVariables",
        summary: "Read an action's variables",
        tag: "Variables",
        scope: "dataactions:read",
        path: ActionId,
        success: { 200: { description: "The set.", schema: W.ActionVariables, headers: { ETag: H.etag } } },
        problems: ["not-found"],
      }),
      put: operation({
        id: "replaceActionVariables",
        summary: "Replace an action's variables",
        tag: "Variables",
        scope: "dataactions:write",
        path: ActionId,
        headers: IfMatch,
        body: { schema: W.VariablesWrite },
        success: {
          200: { description: "The set as stored.", schema: W.ActionVariables, headers: { ETag: H.etag } },
        },
        problems: [
          ...VERSION_PROBLEMS,
          "not-found",
          "variable-collision",
          "scope-violation",
          "action-locked",
          "secret-unreadable",
        ],
      }),
    },
    [`${ACTIONS}/{id}/variables/reencrypt`]: {
      post: operation({
        id: "reencryptActionVariables",
        summary: "Re-encrypt an action's secrets under the active key",
        tag: "Variables",
        scope: "dataactions:admin",
        path: ActionId,
        idempotent: true,
        success: {
          200: {
            description: "The set as stored.",
            schema: W.ActionVariablesReencrypted,
            headers: { ETag: H.etag },
          },
        },
        problems: ["not-found", "secret-unreadable", ...BODY_PROBLEMS],
      }),
    },
    "/api/v2/variables": {
      get: operation({
        id: "getGlobalVariables",
        summary: "Read the tenant's global variables",
        tag: "Variables",
        scope: "dataactions:read",
        success: { 200: { description: "The set.", schema: W.GlobalVariables, headers: { ETag: H.etag } } },
      }),
      put: operation({
        id: "replaceGlobalVariables",
        summary: "Replace the tenant's global variables",
        tag: "Variables",
        scope: "dataactions:admin",
        headers: IfMatch,
        body: { schema: W.VariablesWrite },
        success: {
          200: { description: "The set as stored.", schema: W.GlobalVariables, headers: { ETag: H.etag } },
        },
        problems: [...VERSION_PROBLEMS, "variable-collision", "scope-violation", "secret-unreadable"],
      }),
    },
    "/api/v2/variables/reencrypt": {
      post: operation({
        id: "reencryptGlobalVariables",
        summary: "Re-encrypt the global secrets under the active key",
        tag: "Variables",
        scope: "dataactions:admin",
        idempotent: true,
        success: {
          200: {
            description: "The set as stored.",
            schema: W.GlobalVariablesReencrypted,
            headers: { ETag: H.etag },
          },
        },
        problems: ["secret-unreadable", ...BODY_PROBLEMS],
      }),
    },
    "/api/v2": {
      get: operation({
        id: "getApiIndex",
        summary: "API version and capabilities",
        description:
          "What this server offers beyond the per-resource endpoints; a client uses a capability only when it is listed (docs/api.md). The emulator's `disableCapabilities` leaves names out, their endpoints then answering 404.",
        tag: "Meta",
        scope: "dataactions:read",
        success: {
          200: {
            description: "The API version and the capabilities served.",
            schema: z
              .strictObject({
                apiVersion: z.literal("v2"),
                capabilities: z.array(z.enum(KNOWN_CAPABILITIES)),
              })
              .meta({ id: "ApiIndex" }),
          },
        },
      }),
    },
    "/api/v2/snapshot": {
      get: operation({
        id: "getSnapshot",
        summary: "The whole tenant at one revision (NDJSON)",
        description:
          'One JSON document per line: `{"kind":"header","revision","environments"}`, then per action `{"kind":"action","action","variables":{version,variables},"overrides":{"<envId>":{version,variables}}}` (bodies as the per-resource GETs answer them: no secret values, masked overrides as "***"), then `{"kind":"globals","variables":{version,variables}}` and last `{"kind":"end","actions":N}`. A stream without its end line is truncated (a write landed while it was read): read it again. Served when `GET /api/v2` lists `snapshot` (docs/api.md).',
        tag: "Meta",
        scope: "dataactions:read",
        headers: z.object({
          "If-None-Match": z
            .string()
            .optional()
            .meta({ description: 'The ETag of a snapshot read before, e.g. `"42"`; unchanged → 304.' }),
        }),
        success: {
          200: {
            description: "The snapshot, streamed.",
            contentType: "application/x-ndjson",
            schema: z.string().meta({ description: "Newline-delimited JSON, one document per line." }),
            headers: { ETag: H.revisionEtag },
          },
          304: {
            description: "Unchanged since the revision in If-None-Match.",
            headers: { ETag: H.revisionEtag },
          },
        },
      }),
    },
    "/api/v2/changesets": {
      post: operation({
        id: "createChangeset",
        summary: "Apply a changeset atomically, or open a staged one",
        description:
          "`{operations, baseRevision?, description?}`: every operation is applied in one transaction on the state the previous ones left, every rule of the per-resource writes (the dependency graph on the result) is checked, and any failure applies nothing: the problem's `errors[].path` starts `operations[i]`. Needs the scopes its operations need (write; delete for deleteAction; admin for putGlobalVariables) and an Idempotency-Key. At most 1 000 operations and 8 MiB (413 changeset-too-large). `{staged: true, baseRevision?, description?}` opens a staged changeset instead (batches, then commit), which expires after 1 hour. Served when `GET /api/v2` lists `changesets`.",
        tag: "Changesets",
        scope: "dataactions:write",
        idempotent: true,
        body: { schema: W.ChangesetRequest },
        success: {
          201: {
            description: "Committed (or, when staged, opened).",
            schema: z.union([W.ChangesetCommitted, W.StagedChangeset]),
          },
        },
        problems: [
          ...VERSION_PROBLEMS,
          "changeset-too-large",
          "not-found",
          "name-conflict",
          "has-dependents",
          "action-locked",
          "script-syntax",
          "unknown-dependency",
          "dependency-cycle",
          "variable-collision",
          "scope-violation",
          "secret-unreadable",
        ],
      }),
    },
    "/api/v2/changesets/{id}/batches": {
      post: operation({
        id: "appendChangesetBatch",
        summary: "Append a batch of operations to a staged changeset",
        description:
          "Idempotent per `sequence`: the same sequence with the same operations answers 200 again, with others 422 batch-sequence-reuse. A committed changeset takes no batch (409 changeset-committed); an expired one answers 410 changeset-expired. Operations are checked for shape here and applied at commit.",
        tag: "Changesets",
        scope: "dataactions:write",
        path: z.object({ id: z.string().meta({ description: "The staged changeset's id." }) }),
        body: { schema: W.ChangesetBatchRequest },
        success: {
          200: {
            description: "This batch was appended before.",
            schema: W.ChangesetBatchAccepted,
            headers: { "Idempotent-Replayed": H.replayed },
          },
          201: { description: "Appended.", schema: W.ChangesetBatchAccepted },
        },
        problems: [
          "not-found",
          "changeset-too-large",
          "changeset-committed",
          "changeset-expired",
          "batch-sequence-reuse",
        ],
      }),
    },
    "/api/v2/changesets/{id}/commit": {
      post: operation({
        id: "commitChangeset",
        summary: "Commit a staged changeset atomically",
        description:
          "Applies all batches in sequence order as one changeset (errors name `operations[i]` over the batches in order). Committing again answers the first commit's result with `Idempotent-Replayed: true`.",
        tag: "Changesets",
        scope: "dataactions:write",
        idempotent: true,
        path: z.object({ id: z.string().meta({ description: "The staged changeset's id." }) }),
        body: { schema: W.EmptyObject, required: false },
        success: { 201: { description: "Committed.", schema: W.ChangesetCommitted } },
        problems: [
          ...VERSION_PROBLEMS,
          ...BODY_PROBLEMS,
          "not-found",
          "changeset-expired",
          "name-conflict",
          "has-dependents",
          "action-locked",
          "script-syntax",
          "unknown-dependency",
          "dependency-cycle",
          "variable-collision",
          "scope-violation",
          "secret-unreadable",
        ],
      }),
    },
    "/api/v2/deployments": {
      get: operation({
        id: "listDeployments",
        summary: "List deployments, newest first",
        description:
          "Every committed change is a deployment: each changeset, each single-resource write, each rollback. The emulator keeps the newest `history.deploymentsPerTenant` (default 1 000). Served when `GET /api/v2` lists `deployments`.",
        tag: "Deployments",
        scope: "dataactions:read",
        query: ListQuery.pick({ page: true, pageSize: true }),
        success: { 200: { description: "A page of deployments.", schema: W.DeploymentList } },
        problems: ["validation-failed"],
      }),
    },
    "/api/v2/deployments/by-action": {
      get: operation({
        id: "listLastDeploymentByAction",
        summary: "The newest deployment that touched each action",
        description:
          "One entry per action that a kept deployment touched (its configuration, variables or overrides), with that deployment's id and time; actions no kept deployment touched are absent. Served when `GET /api/v2` lists `deployments`.",
        tag: "Deployments",
        scope: "dataactions:read",
        success: { 200: { description: "One entry per action.", schema: W.LastDeploymentList } },
        problems: [],
      }),
    },
    "/api/v2/deployments/{id}": {
      get: operation({
        id: "getDeployment",
        summary: "Read a deployment and the resources it touched",
        description:
          "Per resource its kind, action, environment and versions before and after; never a secret value.",
        tag: "Deployments",
        scope: "dataactions:read",
        path: z.object({ id: z.string().meta({ description: "The deployment's id." }) }),
        success: { 200: { description: "The deployment.", schema: W.Deployment } },
        problems: ["not-found"],
      }),
    },
    "/api/v2/deployments/{id}/rollback": {
      post: operation({
        id: "rollbackDeployment",
        summary: "Restore what a deployment changed to its state before it",
        description:
          "One new commit (and deployment) restoring exactly the resources the deployment touched: deleted actions come back with their id, created ones are deleted, secrets are restored from their stored ciphertext under the active key. A resource changed since answers 409 rollback-conflict naming each, unless `force`. Needs dataactions:write and dataactions:delete.",
        tag: "Deployments",
        scope: "dataactions:write",
        idempotent: true,
        path: z.object({ id: z.string().meta({ description: "The deployment to roll back." }) }),
        body: { schema: W.RollbackRequest, required: false },
        success: {
          201: {
            description: "Rolled back.",
            schema: z
              .object({
                id: z.string(),
                revision: z.number().int(),
                deploymentId: z.string(),
                rollbackOf: z.string(),
              })
              .meta({ id: "RollbackResult" }),
          },
        },
        problems: ["not-found", "rollback-conflict", "name-conflict", "secret-unreadable"],
      }),
    },
    [`${ACTIONS}/{id}/revisions`]: {
      get: operation({
        id: "listActionRevisions",
        summary: "List an action's revisions, newest first",
        description:
          "One entry per stored version, also after the action was deleted. The emulator keeps the newest `history.revisionsPerAction` (default 100). Served when `GET /api/v2` lists `revisions`.",
        tag: "Actions",
        scope: "dataactions:read",
        path: ActionId,
        query: ListQuery.pick({ page: true, pageSize: true }),
        success: { 200: { description: "A page of revisions.", schema: W.ActionRevisionList } },
        problems: ["not-found", "validation-failed"],
      }),
    },
    [`${ACTIONS}/{id}/revisions/{version}`]: {
      get: operation({
        id: "getActionRevision",
        summary: "Read an action as it was at a version",
        tag: "Actions",
        scope: "dataactions:read",
        path: ActionId.extend({ version: z.string().meta({ description: "The version, from 1." }) }),
        success: {
          200: { description: "The action at that version.", schema: W.Action, headers: { ETag: H.etag } },
        },
        problems: ["not-found", "validation-failed", "revision-expired", "secret-unreadable"],
      }),
    },
    "/api/v2/environments": {
      get: operation({
        id: "listEnvironments",
        summary: "List environments",
        tag: "Environments",
        scope: "dataactions:read",
        success: { 200: { description: "In promotion order.", schema: z.array(W.Environment) } },
      }),
    },
    [`${ACTIONS}/{id}/environments/{envId}/variables`]: {
      get: operation({
        id: "getOverrides",
        summary: "Read an action's overrides in an environment",
        tag: "Environments",
        scope: "dataactions:read",
        path: ActionEnv,
        success: { 200: { description: "The set.", schema: W.OverrideSet, headers: { ETag: H.etag } } },
        problems: ["not-found"],
      }),
      put: operation({
        id: "replaceOverrides",
        summary: "Replace an action's overrides in an environment",
        tag: "Environments",
        scope: "dataactions:write",
        path: ActionEnv,
        headers: IfMatch,
        body: { schema: W.OverridesPut },
        success: {
          200: { description: "The set as stored.", schema: W.OverrideSet, headers: { ETag: H.etag } },
        },
        problems: [
          ...VERSION_PROBLEMS,
          "not-found",
          "action-locked",
          "variable-collision",
          "secret-unreadable",
        ],
      }),
      patch: operation({
        id: "patchOverrides",
        summary: "Upsert or remove overrides by name",
        tag: "Environments",
        scope: "dataactions:write",
        path: ActionEnv,
        headers: IfMatch,
        body: { schema: W.OverridesPatch, types: JSON_OR_MERGE },
        success: {
          200: { description: "The set as stored.", schema: W.OverrideSet, headers: { ETag: H.etag } },
        },
        problems: [
          ...VERSION_PROBLEMS,
          "not-found",
          "action-locked",
          "variable-collision",
          "secret-unreadable",
        ],
      }),
    },
    [`${ACTIONS}/{id}/environments/{envId}/variables/promote`]: {
      post: operation({
        id: "promoteOverrides",
        summary: "Copy overrides of another environment into this one",
        description:
          "Upserted by name; masked values are re-sealed by the server and never leave it (docs/api.md, Promotion).",
        tag: "Environments",
        scope: "dataactions:write",
        path: ActionEnv,
        headers: IfMatch,
        body: { schema: W.PromotionRequest },
        idempotent: true,
        success: {
          200: { description: "The set as stored.", schema: W.OverrideSet, headers: { ETag: H.etag } },
        },
        problems: [
          ...VERSION_PROBLEMS,
          "not-found",
          "action-locked",
          "variable-collision",
          "secret-unreadable",
        ],
      }),
    },
    [`${ACTIONS}/{id}/builds`]: {
      get: operation({
        id: "listBuilds",
        summary: "List an action's builds",
        tag: "Builds",
        scope: "dataactions:read",
        path: ActionId,
        query: z.object({
          page: ListQuery.shape.page,
          pageSize: ListQuery.shape.pageSize,
          environmentId: z.string().optional().meta({ description: "Only the builds of this environment." }),
        }),
        success: { 200: { description: "A page of builds.", schema: W.BuildList } },
        problems: ["validation-failed", "not-found"],
      }),
      post: operation({
        id: "createBuild",
        summary: "Build an action for an environment",
        tag: "Builds",
        scope: "dataactions:admin",
        path: ActionId,
        body: { schema: W.BuildRequest },
        idempotent: true,
        success: {
          202: { description: "The queued build.", schema: W.BuildQueued, headers: { Location: H.location } },
        },
        problems: ["not-found"],
      }),
    },
    [`${ACTIONS}/{id}/builds/{buildId}`]: {
      get: operation({
        id: "getBuild",
        summary: "Read a build",
        tag: "Builds",
        scope: "dataactions:read",
        path: ActionBuild,
        success: { 200: { description: "The build.", schema: W.Build } },
        problems: ["not-found"],
      }),
    },
    "/api/v2/keys": {
      get: operation({
        id: "listKeys",
        summary: "List the tenant's data keys",
        tag: "Keys",
        scope: "dataactions:read",
        success: { 200: { description: "The keys, oldest first.", schema: W.KeyList } },
      }),
    },
    "/api/v2/keys/rotate": {
      post: operation({
        id: "rotateKeys",
        summary: "Make a new data key the active one",
        tag: "Keys",
        scope: "dataactions:admin",
        idempotent: true,
        success: { 200: { description: "The keys after rotation.", schema: W.KeyRotation } },
        problems: BODY_PROBLEMS,
      }),
    },
    ...testHookPaths(),
  };
}

function testHookPaths() {
  const tag = "Test hooks";
  const hookProblems: ProblemSlug[] = ["forbidden"];
  return {
    "/_emulator/faults": {
      get: operation({
        id: "listFaultRules",
        summary: "Read the fault rules",
        tag,
        success: { 200: { description: "The rules.", schema: W.FaultRules } },
        problems: hookProblems,
      }),
      put: operation({
        id: "setFaultRules",
        summary: "Replace the fault rules",
        tag,
        body: { schema: W.FaultRules },
        success: { 200: { description: "The rules as stored.", schema: W.FaultRules } },
        problems: [...hookProblems, "invalid-fault"],
      }),
    },
    "/_emulator/invalidation-lag": {
      put: operation({
        id: "setInvalidationLag",
        summary: "Make this replica act on other replicas' invalidations late (0: at once)",
        description:
          "Only on a replica on PostgreSQL. Another replica's write waits for this one's acknowledgement (at most 2 s); past 1 s of lag this replica reads the database instead of its caches.",
        tag,
        body: { schema: W.InvalidationLag },
        success: { 200: { description: "The lag now in force.", schema: W.InvalidationLag } },
        problems: [...hookProblems, ...BODY_PROBLEMS, "invalid-fault"],
      }),
    },
    "/_emulator/requests": {
      get: operation({
        id: "listRequests",
        summary: "Read the request log",
        tag,
        success: { 200: { description: "Oldest first.", schema: W.RequestLog } },
        problems: hookProblems,
      }),
    },
    "/_emulator/reset": {
      post: operation({
        id: "reset",
        summary: "Empty every tenant's data, the log, the fault rules and the rate limits",
        tag,
        success: { 204: { description: "Done; issued tokens stay valid." } },
        problems: [...hookProblems, ...BODY_PROBLEMS],
      }),
    },
  };
}

const SCOPE_TEXT: Record<Scope, string> = {
  "dataactions:read": "Read actions, variables, environments, overrides, builds and keys.",
  "dataactions:write": "Create, change and test actions; write action variables and overrides.",
  "dataactions:delete": "Delete actions.",
  "dataactions:admin": "Global variables, builds, key rotation and re-encryption.",
  "dataactions:execute": "Test runs see decrypted secret variables (never required; only looked at).",
};

const DESCRIPTION = `The Data Actions API as the cxda emulator serves it. The contract in words is docs/api.md; the emulator (config, test hooks, fault injection) is docs/emulator.md.

Every answer carries \`X-Request-Id\`; every /api/v2 answer carries the \`RateLimit-*\` headers. Errors are RFC 9457 problems (\`application/problem+json\`) whose \`type\` is \`urn:cxda:problem:<slug>\`; each operation lists the slugs it can answer. OAuth errors of /oauth2/token follow RFC 6749 §5.2 instead.

Also on every path: an unsupported method answers 405 \`method-not-allowed\` with \`Allow\`, an unknown path 404 \`not-found\`, and a fault injected through the test hooks (X-Emulator-Fault or /_emulator/faults) may answer any problem status or none (a malformed X-Emulator-Fault header answers 400 \`invalid-fault\`). HEAD is served wherever GET is.`;

/** The document; deterministic (no dates, no host), so it can be committed and compared. */
export function buildOpenApiDocument(): Record<string, unknown> {
  return createDocument({
    openapi: "3.1.0",
    info: {
      title: "cxda Data Actions API",
      version: "2.0.0",
      description: DESCRIPTION,
      license: { name: "MIT", identifier: "MIT" },
    },
    // Relative: the server that serves this document, so /docs sends its requests to the emulator it
    // came from, whatever its port. The emulator's default address is http://127.0.0.1:8787.
    servers: [
      { url: "/", description: "The server that serves this document (default http://127.0.0.1:8787)." },
    ],
    tags: [
      { name: "OAuth" },
      { name: "Actions" },
      { name: "Variables" },
      { name: "Environments" },
      { name: "Builds" },
      { name: "Keys" },
      { name: "Meta" },
      {
        name: "Test hooks",
        description: "Loopback clients only, and only when the emulator serves them (docs/emulator.md).",
      },
    ],
    paths: paths(),
    components: {
      // Every slug, including those only a path-level rule (405, 404) or an injected fault answers.
      schemas: {
        Problem: W.AnyProblem,
        ...Object.fromEntries(Object.values(W.PROBLEM_SCHEMAS).map((s) => [s.meta()?.id as string, s])),
      },
      securitySchemes: {
        oauth2: {
          type: "oauth2",
          description: "Bearer tokens from /oauth2/token; every /api/v2 operation names the scope it needs.",
          flows: {
            clientCredentials: { tokenUrl: "/oauth2/token", scopes: SCOPE_TEXT },
            password: { tokenUrl: "/oauth2/token", scopes: SCOPE_TEXT },
          },
        },
        clientBasic: {
          type: "http",
          scheme: "basic",
          description: "The client id and secret at the token endpoint (RFC 6749 §2.3.1).",
        },
      },
    },
  }) as unknown as Record<string, unknown>;
}

/** The document as committed in docs/openapi.json: two-space JSON and a final newline. */
export function openApiJson(): string {
  return `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`;
}
