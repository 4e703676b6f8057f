/**
 * The Deployments view's data, through the SDK's deployments and revisions workflows: the timeline
 * (newest first, one page), one deployment's resources, an action's diff between the versions a
 * deployment moved it (read on demand), the rollback's plan (nothing sent) and the rollback itself.
 * Credential-like header values in a diff are masked here: the current version of an action, unlike
 * its past revisions, carries them as the API returns them.
 */
import { CxdaError, type CxdaSdk, type Redactor } from "../index.js";

/** Deployments in the timeline: the server's first page. */
export const TIMELINE_SIZE = 100;

/** A JSON property line of a unified diff: sign, indent, name, value, optional comma. */
const PROPERTY_LINE = /^([ +-]\s*)"((?:[^"\\]|\\.)*)": "((?:[^"\\]|\\.)*)"(,?)$/;

/** Masks the value of every `"Header": "value"` line of a diff that the redactor's header rule calls a credential. */
export function maskDiffHeaders(diff: string, redactor: Redactor): string {
  return diff
    .split("\n")
    .map((line) => {
      const m = PROPERTY_LINE.exec(line);
      if (!m) return line;
      const [, prefix, name, value, comma] = m;
      let plain: string;
      try {
        plain = JSON.parse(`"${value}"`) as string;
      } catch {
        return line;
      }
      const shown = redactor.redactHeaders({ [name!]: plain })[name!];
      return shown === plain ? line : `${prefix}"${name}": ${JSON.stringify(shown)}${comma}`;
    })
    .join("\n");
}

export async function timeline(sdk: CxdaSdk) {
  if (!(await sdk.deployments.available())) return { available: false, deployments: [] };
  return { available: true, deployments: await sdk.deployments.list({ limit: TIMELINE_SIZE }) };
}

/** Per action id, the newest kept deployment that touched it (the Actions list's last column); one request. */
export async function lastDeployments(sdk: CxdaSdk) {
  if (!(await sdk.deployments.available())) return { available: false, entities: [] };
  try {
    return { available: true, entities: [...(await sdk.deployments.lastByAction()).values()] };
  } catch (error) {
    // A server that records deployments but cannot answer them by action: the column stays empty.
    if (error instanceof CxdaError && error.status === 404) return { available: false, entities: [] };
    throw error;
  }
}

export function deployment(sdk: CxdaSdk, id: string) {
  return sdk.deployments.get(id);
}

export function rollbackPlan(sdk: CxdaSdk, id: string) {
  return sdk.deployments.planRollback(id);
}

export function rollback(sdk: CxdaSdk, id: string, force: boolean) {
  return sdk.deployments.rollback(id, { force, description: `rollback of ${id} from cxda console` });
}

export async function actionDiff(
  sdk: CxdaSdk,
  redactor: Redactor,
  actionId: string,
  from: number,
  to: number,
) {
  const diff = await sdk.revisions.diff(actionId, from, to);
  return {
    action: diff.action,
    from: diff.from,
    to: diff.to,
    unifiedDiff: maskDiffHeaders(diff.unifiedDiff, redactor),
  };
}

/** An action's revisions, newest first (`GET …/revisions`, one page of 100). */
export function revisions(sdk: CxdaSdk, actionId: string) {
  return sdk.revisions.list(actionId);
}

/** An error of the SDK as the console's API answers it: the server's status when it had one. */
export function errorStatus(error: unknown): number {
  if (error instanceof CxdaError && error.status !== undefined && error.status >= 400 && error.status < 500)
    return error.status;
  if (error instanceof CxdaError && error.slug === "capability-missing") return 404;
  return 502;
}
