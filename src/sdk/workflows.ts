/**
 * Every workflow the SDK binds onto its client, grouped by the resource it works on
 * (`cxda.headers.set(…)`, `cxda.variables.register(…)`), and the flat names of the first release, kept
 * as deprecated aliases (docs/sdk.md has the mapping). A workflow is a function whose first parameter
 * is the WorkflowContext; the SDK facade supplies it.
 */
import { applyPlan } from "../project/apply.js";
import { deleteAction, getAction, listActions } from "../workflows/actions.js";
import { getBuild, listBuilds, triggerBuild } from "../workflows/builds.js";
import { createAction } from "../workflows/create-action.js";
import { applyDateProcessing } from "../workflows/datetime.js";
import {
  getDeployment,
  lastDeploymentByAction,
  listDeployments,
  planRollback,
  rollbackDeployment,
} from "../workflows/deployments.js";
import { diffTenant } from "../workflows/drift.js";
import { getHeaders, replaceHeaders, setHeaders, unsetHeaders } from "../workflows/headers.js";
import {
  actionHistory,
  diffActionRevisions,
  getActionRevision,
  restoreActionRevision,
} from "../workflows/history.js";
import {
  applyOverrides,
  getOverrides,
  listEnvironments,
  resolveVariables,
  unsetOverrides,
} from "../workflows/overrides.js";
import { applyOverridesPromotion, planOverridesPromotion, promoteOverrides } from "../workflows/promote.js";
import { testAction } from "../workflows/test-action.js";
import {
  getGlobalVariables,
  getVariables,
  reencrypt,
  reencryptGlobalVariables,
  registerVariables,
  rotateKey,
  rotationCheck,
  setGlobalVariables,
  upsertGlobalVariables,
  upsertVariables,
  variableMetrics,
} from "../workflows/variables.js";

/**
 * The SDK's groups. Where a group shares its name with a resource of the client (`actions`, `variables`,
 * …), the resource's own methods (one request each, not audited) stay reachable on it, and a workflow
 * of the same name (`variables.get(ref)`) takes its place.
 */
export const WORKFLOW_GROUPS = {
  actions: { add: createAction, remove: deleteAction, test: testAction },
  headers: { get: getHeaders, set: setHeaders, unset: unsetHeaders, replace: replaceHeaders },
  variables: {
    get: getVariables,
    register: registerVariables,
    upsert: upsertVariables,
    resolve: resolveVariables,
    reencrypt,
    metrics: variableMetrics,
  },
  globalVariables: {
    get: getGlobalVariables,
    set: setGlobalVariables,
    upsert: upsertGlobalVariables,
    reencrypt: reencryptGlobalVariables,
  },
  overrides: {
    get: getOverrides,
    apply: applyOverrides,
    unset: unsetOverrides,
    diff: diffTenant,
    planPromotion: planOverridesPromotion,
    applyPromotion: applyOverridesPromotion,
    promote: promoteOverrides,
  },
  environments: { list: listEnvironments },
  builds: { trigger: triggerBuild, get: getBuild, list: listBuilds },
  keys: { rotate: rotateKey, rotationCheck },
  dateProcessing: { apply: applyDateProcessing },
  project: { apply: applyPlan },
  deployments: {
    list: listDeployments,
    get: getDeployment,
    lastByAction: lastDeploymentByAction,
    planRollback,
    rollback: rollbackDeployment,
  },
  revisions: {
    list: actionHistory,
    get: getActionRevision,
    diff: diffActionRevisions,
    restore: restoreActionRevision,
  },
} as const;

/** The first release's flat names; each is the same function as its grouped name (docs/sdk.md). */
export const FLAT_WORKFLOWS = {
  listActions,
  getAction,
  deleteAction,
  listEnvironments,
  getOverrides,
  applyOverrides,
  unsetOverrides,
  resolveVariables,
  diffTenant,
  triggerBuild,
  getBuild,
  createAction,
  testAction,
  getHeaders,
  setHeaders,
  unsetHeaders,
  replaceHeaders,
  applyDateProcessing,
  registerVariables,
  getVariables,
  getGlobalVariables,
  setGlobalVariables,
  rotationCheck,
  rotateKey,
  reencrypt,
  reencryptGlobalVariables,
  variableMetrics,
  applyPlan,
};

/** Flat name → its grouped replacement, as written in docs/sdk.md (a test keeps the two in step). */
export const FLAT_TO_GROUPED: Record<keyof typeof FLAT_WORKFLOWS, string> = {
  listActions: "actions.listAll",
  getAction: "actions.resolve",
  deleteAction: "actions.remove",
  createAction: "actions.add",
  testAction: "actions.test",
  getHeaders: "headers.get",
  setHeaders: "headers.set",
  unsetHeaders: "headers.unset",
  replaceHeaders: "headers.replace",
  registerVariables: "variables.register",
  getVariables: "variables.get",
  resolveVariables: "variables.resolve",
  reencrypt: "variables.reencrypt",
  variableMetrics: "variables.metrics",
  getGlobalVariables: "globalVariables.get",
  setGlobalVariables: "globalVariables.set",
  reencryptGlobalVariables: "globalVariables.reencrypt",
  listEnvironments: "environments.list",
  getOverrides: "overrides.get",
  applyOverrides: "overrides.apply",
  unsetOverrides: "overrides.unset",
  diffTenant: "overrides.diff",
  triggerBuild: "builds.trigger",
  getBuild: "builds.get",
  rotateKey: "keys.rotate",
  rotationCheck: "keys.rotationCheck",
  applyDateProcessing: "dateProcessing.apply",
  applyPlan: "project.apply",
};
