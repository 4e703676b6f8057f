/**
 * Every workflow the SDK binds onto its client, one line each. A workflow is a function whose first
 * parameter is the WorkflowContext; the SDK facade supplies it.
 */
import { deleteAction, getAction, listActions } from "../workflows/actions.js";

export const WORKFLOWS = {
  listActions,
  getAction,
  deleteAction,
};
