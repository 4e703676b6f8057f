/**
 * The wire shapes of the API that are not already zod schemas in `domain/` (docs/api.md): responses,
 * problem bodies and the request bodies the handlers check by hand. `document.ts` turns these, and the
 * domain's own `ActionInputSchema`, `ActionResourceSchema` and `VariableSchema`, into OpenAPI 3.1; the
 * test suite checks every emulator response against the result, so a shape here cannot drift from the
 * handlers without a failing test.
 */
import { z } from "zod";
import {
  ActionInputSchema,
  ActionNameSchema,
  ActionResourceSchema,
  ActionTypeSchema,
} from "../../domain/action-schema.js";
import { PROBLEMS, type ProblemSlug, problemType } from "../../domain/problems.js";
import { VARIABLE_NAME_PATTERN, VARIABLE_SCOPES, VARIABLE_TYPES } from "../../domain/variables.js";

const Version = z.number().int().min(1).describe("Starts at 1, +1 per change; also sent as ETag.");
const Millis = z.number().int().describe("Epoch milliseconds.");

export const ActionInput = ActionInputSchema.meta({ id: "ActionInput" });
export const Action = ActionResourceSchema.meta({ id: "Action" });
export { ActionNameSchema, ActionTypeSchema };

// ---------- problems (RFC 9457) ----------

export const ProblemIssue = z
  .object({
    path: z.string().describe("Where: a dotted path into the body, a query parameter or a header name."),
    code: z.string().describe("A problem slug or `validation-failed`."),
    message: z.string(),
    line: z.number().int().optional().describe("1-based line in a script, when the issue is there."),
    column: z.number().int().optional(),
  })
  .meta({ id: "ProblemIssue" });

function slugId(slug: string): string {
  return `Problem${slug.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase())}`;
}

/** One schema per slug: `type`, `title` and `status` fixed, so a client can switch on `type`. */
export const PROBLEM_SCHEMAS = Object.fromEntries(
  Object.entries(PROBLEMS).map(([slug, { status, title }]) => [
    slug,
    z
      .object({
        type: z.literal(problemType(slug)),
        title: z.literal(title),
        status: z.literal(status),
        detail: z.string().describe("What was wrong and what to do, in English."),
        requestId: z.string().optional().describe("The X-Request-Id of the answer."),
        errors: z.array(ProblemIssue).optional().describe("Every issue found, when there are several."),
      })
      .meta({ id: slugId(slug), title: `${status} ${slug}`, description: `${title} (RFC 9457 problem).` }),
  ]),
) as unknown as Record<ProblemSlug, z.ZodObject>;

/** A problem of any slug (used for answers an injected fault may give). */
export const AnyProblem = z
  .object({
    type: z.string().describe("`urn:cxda:problem:` + slug; see docs/api.md."),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    requestId: z.string().optional(),
    errors: z.array(ProblemIssue).optional(),
  })
  .meta({ id: "Problem" });

// ---------- OAuth ----------

export const TokenRequest = z
  .object({
    grant_type: z.enum(["client_credentials", "password"]),
    client_id: z.string().optional().describe("With client_secret, instead of HTTP Basic."),
    client_secret: z.string().optional(),
    scope: z.string().optional().describe("Space-separated scopes; default: all granted to the client."),
    username: z.string().optional().describe("password grant: the access key id."),
    password: z.string().optional().describe("password grant: the access key secret."),
  })
  .meta({ id: "TokenRequest" });

export const TokenResponse = z
  .object({
    access_token: z.string(),
    token_type: z.literal("Bearer"),
    expires_in: z.number().int().describe("Seconds."),
    scope: z.string().describe("The granted scopes, space-separated."),
  })
  .meta({ id: "TokenResponse" });

export const RevocationRequest = z
  .object({
    token: z.string().describe("The access token to revoke (issued to the authenticating client)."),
    token_type_hint: z.literal("access_token").optional(),
    client_id: z.string().optional().describe("With client_secret, instead of HTTP Basic."),
    client_secret: z.string().optional(),
  })
  .meta({ id: "RevocationRequest" });

export const OAuthErrorBody = z
  .object({
    error: z.enum([
      "invalid_request",
      "invalid_client",
      "invalid_grant",
      "invalid_scope",
      "unsupported_grant_type",
      "unsupported_token_type",
      "unauthorized_client",
      "slow_down",
      "server_error",
    ]),
    error_description: z.string(),
  })
  .meta({ id: "OAuthError", description: "RFC 6749 §5.2 error response." });

export const AuthorizationServerMetadata = z
  .looseObject({
    issuer: z.string(),
    token_endpoint: z.string(),
    grant_types_supported: z.array(z.string()),
    token_endpoint_auth_methods_supported: z.array(z.string()),
    revocation_endpoint: z.string(),
    revocation_endpoint_auth_methods_supported: z.array(z.string()),
    scopes_supported: z.array(z.string()),
    response_types_supported: z.array(z.string()).describe("Empty: there is no authorization endpoint."),
  })
  .meta({ id: "AuthorizationServerMetadata", description: "Discovery metadata (OpenID / RFC 8414)." });

// ---------- lists ----------

export const StoredVariable = z
  .object({
    name: z.string(),
    type: z.enum(VARIABLE_TYPES),
    value: z.string().nullable().describe("null when encrypted."),
    encrypted: z.boolean(),
    scope: z.enum(VARIABLE_SCOPES),
    keyId: z.string().optional().describe("The data key that sealed an encrypted value."),
    fingerprint: z.string().optional().describe("HMAC fingerprint of an encrypted value."),
  })
  .meta({ id: "StoredVariable" });

export const ActionVariables = z
  .object({
    actionId: z.string(),
    version: Version,
    variables: z.array(StoredVariable),
  })
  .meta({ id: "ActionVariables" });

export const StoredOverride = z
  .object({
    name: z.string(),
    value: z.string().describe('The value, or "***" when masked.'),
    masked: z.boolean(),
    description: z.string(),
    fingerprint: z.string().optional().describe("HMAC fingerprint of a masked value."),
  })
  .meta({ id: "StoredOverride" });

export const EnvironmentOverrides = z
  .object({ version: Version, variables: z.array(StoredOverride) })
  .meta({ id: "EnvironmentOverrides" });

export const ActionListEntry = Action.extend({
  variables: ActionVariables.optional().describe("With expand=variables."),
  environments: z
    .record(z.string(), EnvironmentOverrides)
    .optional()
    .describe("With expand=environments: environment id → its overrides."),
}).meta({ id: "ActionListEntry" });

export const ActionList = z
  .object({
    entities: z.array(ActionListEntry),
    page: z.number().int().min(1),
    pageSize: z.number().int().min(1),
    total: z.number().int().min(0),
  })
  .meta({ id: "ActionList" });

// ---------- variables ----------

export const VariableInput = z
  .object({
    name: z.string().regex(VARIABLE_NAME_PATTERN),
    type: z.enum(VARIABLE_TYPES),
    value: z.string().describe("The value as text (integer, boolean and object variables too)."),
    encrypted: z.boolean().optional().describe("Store encrypted; read back as null. Default false."),
    scope: z.enum(VARIABLE_SCOPES).optional().describe("Default: the level written to."),
  })
  .meta({ id: "VariableInput" });

export const VariablesWrite = z
  .object({
    variables: z.array(VariableInput).describe("The whole set; it replaces the stored one."),
    version: Version.optional().describe("The version read; a mismatch answers 409 version-conflict."),
  })
  .meta({ id: "VariablesWrite" });

export const GlobalVariables = z
  .object({ version: Version, variables: z.array(StoredVariable) })
  .meta({ id: "GlobalVariables" });

const Reencrypted = {
  activeKeyId: z.string(),
  reencrypted: z.array(z.string()).describe("Names moved to the active key."),
};
export const ActionVariablesReencrypted = ActionVariables.extend(Reencrypted).meta({
  id: "ActionVariablesReencrypted",
});
export const GlobalVariablesReencrypted = GlobalVariables.extend(Reencrypted).meta({
  id: "GlobalVariablesReencrypted",
});

export const EmptyObject = z.object({}).describe("An empty JSON object (or no body).");

// ---------- environments, overrides, builds ----------

export const Environment = z
  .object({
    id: z.string(),
    name: z.string(),
    order: z.number().int().min(0).describe("Promotion order."),
    buildOnChange: z.boolean().describe("Whether an override write starts a build."),
  })
  .meta({ id: "Environment" });

export const OverrideInput = z
  .object({
    name: z.string(),
    value: z.string(),
    masked: z.boolean().optional(),
    description: z.string().optional(),
  })
  .meta({ id: "OverrideInput" });

export const OverridesPut = z
  .object({
    variables: z.array(OverrideInput),
    version: Version.optional().describe("The version read (or If-Match)."),
  })
  .meta({ id: "OverridesPut" });

export const OverridesPatch = z
  .object({
    variables: z.array(OverrideInput).describe("Upserted by name."),
    remove: z.array(z.string()).optional().describe("Names to delete."),
    version: Version.optional(),
  })
  .meta({ id: "OverridesPatch" });

const BuildStatus = z.enum(["QUEUED", "RUNNING", "SUCCEEDED", "FAILED"]);

export const OverrideSet = z
  .object({
    actionId: z.string(),
    environmentId: z.string(),
    version: Version,
    variables: z.array(StoredOverride),
    build: z
      .object({ id: z.string(), status: BuildStatus })
      .optional()
      .describe("The build a buildOnChange environment started (writes only)."),
  })
  .meta({ id: "OverrideSet" });

export const PromotionRequest = z
  .object({
    fromEnvironmentId: z.string().describe("The environment to copy from."),
    names: z.array(z.string()).optional().describe("The overrides to copy; all of the source's when absent."),
    version: Version.optional().describe("The target set's version as read (or If-Match)."),
  })
  .meta({ id: "PromotionRequest" });

export const BuildRequest = z
  .object({ environmentId: z.string().describe("GET /api/v2/environments lists them.") })
  .meta({ id: "BuildRequest" });

export const BuildQueued = z
  .object({ id: z.string(), actionId: z.string(), environmentId: z.string(), status: BuildStatus })
  .meta({ id: "BuildQueued" });

export const BuildList = z
  .object({
    entities: z.array(z.lazy(() => Build)),
    page: z.number().int().min(1),
    pageSize: z.number().int().min(1),
    total: z.number().int().min(0),
  })
  .meta({ id: "BuildList" });

export const Build = z
  .object({
    id: z.string(),
    actionId: z.string(),
    environmentId: z.string(),
    status: BuildStatus,
    trigger: z.enum(["manual", "overrides"]),
    createdTimestamp: Millis,
    startedTimestamp: Millis.optional(),
    finishedTimestamp: Millis.optional(),
    errors: z
      .array(z.object({ code: z.string(), message: z.string(), path: z.string().optional() }))
      .optional(),
    snapshot: z
      .object({
        actionVersion: z.number().int(),
        actionName: z.string(),
        overridesVersion: z.number().int(),
        variables: z.array(
          z.object({
            name: z.string(),
            source: z.string(),
            masked: z.boolean(),
            fingerprint: z.string().optional(),
          }),
        ),
        contentHash: z.string().describe("`sha256:` + hex."),
      })
      .optional()
      .describe("What a successful build recorded; never a value."),
  })
  .meta({ id: "Build" });

// ---------- test runs, keys ----------

export const TestRunRequest = z
  .object({
    input: z.unknown().optional().describe("Passed to main as context.input (any JSON; default null)."),
    environmentId: z.string().nullable().optional(),
  })
  .meta({ id: "TestRunRequest" });

export const TestRunResult = z
  .object({
    status: z.enum(["SUCCESS", "FAILURE", "TIMEOUT"]),
    output: z
      .unknown()
      .describe("main's result (SCRIPT) or the rendered request (HTTP); null unless SUCCESS."),
    error: z.string().optional(),
    logs: z.array(z.string()),
    durationMs: z.number().int().min(0),
    secretsWithheld: z
      .array(z.string())
      .optional()
      .describe("Secrets the run saw as *** because the token lacks dataactions:execute."),
  })
  .meta({ id: "TestRunResult" });

export const KeyList = z
  .object({
    activeKeyId: z.string(),
    keys: z.array(z.object({ keyId: z.string(), createdTimestamp: Millis })),
  })
  .meta({ id: "KeyList" });

export const KeyRotation = KeyList.extend({ previousKeyId: z.string() }).meta({ id: "KeyRotation" });

// ---------- test hooks ----------

export const FaultRule = z
  .object({
    method: z.string().describe("* or an HTTP method."),
    path: z.string().describe("Path pattern: segments, * or **."),
    status: z.number().int().nullable(),
    retryAfter: z.number().int().nullable(),
    delayMs: z.number().int(),
    drop: z.boolean(),
    reset: z.boolean(),
    probability: z.number(),
    count: z.number().int().nullable(),
    remaining: z.number().int().nullable().optional().describe("Firings left of a rule with a count."),
  })
  .meta({ id: "FaultRule", description: "See docs/emulator.md (fault injection)." });

export const FaultRules = z.object({ rules: z.array(FaultRule) }).meta({ id: "FaultRules" });

export const InvalidationLag = z
  .object({ delayMs: z.number().int().min(0).max(60_000).describe("Milliseconds; 0 stops the lag.") })
  .meta({ id: "InvalidationLag" });

export const RequestLog = z
  .object({
    requests: z.array(
      z.object({
        seq: z.number().int(),
        timestamp: Millis,
        method: z.string(),
        path: z.string(),
        status: z.number().int().nullable(),
        clientId: z.string().nullable(),
        idempotencyKey: z.string().nullable(),
        faulted: z.boolean(),
        fault: z.enum(["status", "drop", "reset", "delay"]).optional(),
        retryAfter: z.number().optional(),
        ifMatch: z.string().optional(),
        replayed: z.boolean().optional(),
        requestId: z.string(),
      }),
    ),
    dropped: z.number().int().min(0),
  })
  .meta({ id: "RequestLog" });

// ---------- changesets, deployments, history ----------

const Ref = z
  .string()
  .describe("The action's id or name; a name may be one created earlier in the changeset.");
const OpVersion = Version.optional().describe("The version read; a mismatch answers 409 version-conflict.");

export const ChangesetOperation = z
  .discriminatedUnion("op", [
    z.object({ op: z.literal("createAction"), action: ActionInput }),
    z.object({
      op: z.literal("updateAction"),
      ref: Ref,
      version: OpVersion,
      action: ActionInput.optional().describe("The whole action (replaces it, as PUT)."),
      patch: z.record(z.string(), z.unknown()).optional().describe("A JSON merge patch (as PATCH)."),
    }),
    z.object({ op: z.literal("deleteAction"), ref: Ref, version: OpVersion }),
    z.object({
      op: z.literal("putVariables"),
      ref: Ref,
      version: OpVersion,
      variables: z.array(VariableInput),
    }),
    z.object({
      op: z.literal("putOverrides"),
      ref: Ref,
      environmentId: z.string(),
      version: OpVersion,
      variables: z.array(OverrideInput),
    }),
    z.object({ op: z.literal("putGlobalVariables"), version: OpVersion, variables: z.array(VariableInput) }),
    z.object({
      op: z.literal("promoteOverrides"),
      ref: Ref,
      from: z.string().describe("The environment to copy from."),
      to: z.string().describe("The environment to copy into."),
      names: z
        .array(z.string())
        .optional()
        .describe("The overrides to copy; all of the source's when absent."),
      version: OpVersion.describe("The target set's version read."),
    }),
  ])
  .meta({ id: "ChangesetOperation" });

export const ChangesetRequest = z
  .object({
    operations: z
      .array(ChangesetOperation)
      .max(1000)
      .optional()
      .describe("At most 1 000; absent when staged."),
    staged: z.boolean().optional().describe("true: open a staged changeset (batches, then commit)."),
    baseRevision: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe("The tenant revision the plan was read at; another current revision answers 412."),
    description: z.string().max(1024).optional(),
  })
  .meta({ id: "ChangesetRequest" });

export const ChangesetCommitted = z
  .object({
    id: z.string(),
    revision: z.number().int().min(0).describe("The tenant revision after the commit."),
    deploymentId: z.string(),
    results: z.array(
      z.object({
        index: z.number().int().min(0),
        op: z.string(),
        ref: z.string().nullable(),
        id: z.string().nullable().describe("The action's id (null for global variables)."),
        version: z
          .number()
          .int()
          .nullable()
          .describe("The resource's version after the operation (null: deleted)."),
      }),
    ),
  })
  .meta({ id: "ChangesetCommitted" });

export const StagedChangeset = z
  .object({
    id: z.string(),
    status: z.enum(["OPEN", "COMMITTED"]),
    expiresTimestamp: z.number().int(),
    baseRevision: z.number().int().optional(),
    description: z.string(),
  })
  .meta({ id: "StagedChangeset" });

export const ChangesetBatchRequest = z
  .object({
    sequence: z.number().int().min(0).describe("The batch's place (0, 1, 2, …); resending one is a no-op."),
    operations: z.array(ChangesetOperation).max(1000),
  })
  .meta({ id: "ChangesetBatchRequest" });

export const ChangesetBatchAccepted = z
  .object({
    changesetId: z.string(),
    sequence: z.number().int(),
    operations: z.number().int().describe("How many operations the batch holds."),
    status: z.literal("OPEN"),
  })
  .meta({ id: "ChangesetBatchAccepted" });

const DeploymentCounts = z.object({
  created: z.number().int().min(0),
  updated: z.number().int().min(0),
  deleted: z.number().int().min(0),
});

export const DeploymentSummary = z
  .object({
    id: z.string(),
    revision: z.number().int().min(0),
    createdTimestamp: z.number().int(),
    clientId: z.string().nullable(),
    description: z.string(),
    counts: DeploymentCounts,
    rollbackOf: z.string().optional().describe("The deployment this one rolled back."),
    changesetId: z.string().optional().describe("The changeset that made it (absent for single writes)."),
  })
  .meta({ id: "DeploymentSummary" });

export const DeploymentResource = z
  .object({
    kind: z.enum(["action", "variables", "overrides", "globalVariables"]),
    actionId: z.string().optional(),
    name: z.string().optional(),
    environmentId: z.string().optional(),
    beforeVersion: z.number().int().nullable().describe("null: it did not exist before."),
    afterVersion: z.number().int().nullable().describe("null: the deployment deleted it."),
  })
  .meta({ id: "DeploymentResource" });

export const Deployment = DeploymentSummary.extend({ resources: z.array(DeploymentResource) }).meta({
  id: "Deployment",
});

export const DeploymentList = z
  .object({
    entities: z.array(DeploymentSummary),
    page: z.number().int().min(1),
    pageSize: z.number().int().min(1),
    total: z.number().int().min(0),
  })
  .meta({ id: "DeploymentList" });

export const LastDeploymentList = z
  .object({
    entities: z.array(
      z.object({
        actionId: z.string(),
        name: z.string().nullable().describe("The action's name as that deployment left it."),
        deploymentId: z.string(),
        createdTimestamp: z.number().int(),
        clientId: z.string().nullable(),
      }),
    ),
  })
  .meta({ id: "LastDeploymentList" });

export const RollbackRequest = z
  .object({
    force: z.boolean().optional().describe("Restore even resources changed since (default false)."),
    description: z.string().max(1024).optional(),
  })
  .meta({ id: "RollbackRequest" });

export const ActionRevisionEntry = z
  .object({
    version: Version,
    modifiedTimestamp: z.number().int(),
    clientId: z.string().nullable(),
    deploymentId: z.string().nullable(),
  })
  .meta({ id: "ActionRevisionEntry" });

export const ActionRevisionList = z
  .object({
    entities: z.array(ActionRevisionEntry),
    page: z.number().int().min(1),
    pageSize: z.number().int().min(1),
    total: z.number().int().min(0),
  })
  .meta({ id: "ActionRevisionList" });
