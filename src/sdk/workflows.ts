/**
 * Every workflow the SDK binds onto its client, one line each. A workflow is a function whose first
 * parameter is the WorkflowContext; the SDK facade supplies it.
 */
import { applyPlan } from "../project/apply.js";
import { deleteAction, getAction, listActions } from "../workflows/actions.js";
import { getBuild, triggerBuild } from "../workflows/builds.js";
import { createAction } from "../workflows/create-action.js";
import { applyDateProcessing } from "../workflows/datetime.js";
import { diffTenant } from "../workflows/drift.js";
import { getHeaders, replaceHeaders, setHeaders, unsetHeaders } from "../workflows/headers.js";
import {
  applyOverrides,
  getOverrides,
  listEnvironments,
  resolveVariables,
  unsetOverrides,
} from "../workflows/overrides.js";
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
  variableMetrics,
} from "../workflows/variables.js";

export const WORKFLOWS = {
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
