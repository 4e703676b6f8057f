/**
 * R2: concurrent editors × header edits on one action, each editor its own SDK instance calling
 * `setHeaders` — every header present at the end, 0 lost updates, 0 failed edits. One editor's
 * first header is a credential, which R6 then looks for in the audit log, webhooks and traces.
 */
import { randomBytes } from "node:crypto";
import {
  actionInput,
  type ChaosClient,
  type ChaosRun,
  chaosClient,
  exactly,
  type Figure,
  info,
  pending,
  requestLog,
} from "./harness.js";
import type { ChaosSize } from "./sizes.js";
import { createOne, workflow } from "./workflows.js";

export async function runR2(run: ChaosRun, size: ChaosSize): Promise<Figure[]> {
  const emulator = await run.emulator("r2");
  const auditLog = run.auditPath("r2");
  const editors: ChaosClient[] = [];
  const plain = chaosClient(run, emulator, "raw");
  try {
    for (let e = 0; e < size.r2Editors; e++) editors.push(chaosClient(run, emulator, "sdk", { auditLog }));
    const setHeaders = editors[0] && workflow(editors[0], "setHeaders");
    if (!setHeaders) return [pending("R2", "the setHeaders workflow has not landed yet")];
    const action = await createOne(editors[0]!, plain, actionInput("r2_contended"));
    const credential = `Bearer chaos-cred-${randomBytes(12).toString("hex")}`;
    run.credentialHeaders.push(credential);
    run.secrets.add(credential, "credential header");
    const expected = new Map<string, string>();
    const errors: unknown[] = [];
    await Promise.all(
      editors.map(async (c, e) => {
        const set = workflow(c, "setHeaders")!;
        for (let k = 0; k < size.r2Edits; k++) {
          const name = e === 0 && k === 0 ? "Authorization" : `X-Editor-${e}-${k}`;
          const value = e === 0 && k === 0 ? credential : `v${e}.${k}`;
          expected.set(name, value);
          await set(action.id, { [name]: value }).catch((error: unknown) => errors.push(error));
        }
      }),
    );
    const final = (await plain.sdk.actions.get(action.id)).body;
    const headers = final.config?.headers ?? {};
    const present = [...expected].filter(([name, value]) => headers[name] === value).length;
    const log = await requestLog(emulator);
    run.requestLogs.push({ scenario: "R2", auditLog, requests: log });
    const conflicts = log.filter(
      (r) => r.method === "PATCH" && (r.status === 409 || r.status === 412),
    ).length;
    const figures = [
      exactly("R2", "headers present", present, size.r2Editors * size.r2Edits),
      exactly("R2", "lost updates", expected.size - present, 0),
      exactly("R2", "failed edits", errors.length, 0),
      info("R2", "conflicts re-read and re-applied", conflicts),
      info("R2", "final version", final.version),
    ];
    if (errors[0] !== undefined) figures.push(info("R2", "first error", String(errors[0])));
    return figures;
  } finally {
    for (const c of editors) await c.close();
    await plain.close();
    await emulator.close();
  }
}
