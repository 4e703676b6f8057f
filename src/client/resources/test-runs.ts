/** A sandboxed test run of an action, `POST /dataactions/{id}/test`. */
import type { ApiResponse, Requester } from "../request-types.js";
import { actionPath } from "./actions.js";

export type TestRunStatus = "SUCCESS" | "FAILURE" | "TIMEOUT";

/** The server's answer to a test run. */
export interface TestRunResult {
  status: TestRunStatus;
  /** `main`'s result (SCRIPT) or the rendered `{method, url, headers}` (HTTP); null unless SUCCESS. */
  output: unknown;
  error?: string;
  logs: string[];
  durationMs: number;
  /**
   * Secret variables the run saw as `"***"` because the token lacks the `dataactions:execute` scope
   * (docs/script-runtime.md); absent when the run saw every value.
   */
  secretsWithheld?: string[];
}

export interface TestRunInput {
  /** Passed to `main` as `context.input` (any JSON; null when absent). */
  input: unknown;
  /** Environment whose overrides and settings the run sees. */
  environmentId?: string;
}

export interface TestRunsResource {
  create(actionId: string, body: TestRunInput): Promise<ApiResponse<TestRunResult>>;
}

export function testRunsResource(client: Requester): TestRunsResource {
  return {
    create: (actionId, body) =>
      client.request<TestRunResult>("POST", `${actionPath(actionId)}/test`, { body }),
  };
}
