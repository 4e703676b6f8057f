/**
 * R2: concurrent editors of one action, each editor its own SDK instance: header edits (`headers.set`),
 * then variables (`variables.upsert`) and overrides (`overrides.apply`), each editor adding its own
 * items — every item present at the end, 0 lost edits, 0 failed edits. All three write through
 * writeWithVersion. One editor's first header is a credential, which R6 then looks for in the audit
 * log, webhooks and traces.
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
    figures.push(...(await itemEditors(editors, plain, size)));
    // R10 matches every committed write of the whole scenario with its audit line.
    const all = await requestLog(emulator);
    run.requestLogs.push({ scenario: "R2", auditLog, requests: all });
    const later = all.slice(log.length);
    const refused = (method: string) =>
      later.filter((r) => r.method === method && (r.status === 409 || r.status === 412)).length;
    figures.push(
      info("R2", "variable writes refused as stale (re-read)", refused("PUT")),
      info("R2", "override writes refused as stale (re-read)", refused("PATCH")),
    );
    return figures;
  } finally {
    for (const c of editors) await c.close();
    await plain.close();
    await emulator.close();
  }
}

/**
 * Every editor adds `r2ItemEdits` variables of its own to one action (`variables.upsert`: read the set,
 * add, PUT with the version read) and as many overrides to one environment (`overrides.apply`: PATCH
 * with If-Match), all at once.
 */
async function itemEditors(editors: ChaosClient[], plain: ChaosClient, size: ChaosSize): Promise<Figure[]> {
  const first = editors[0]!;
  const vars = await createOne(first, plain, actionInput("r2_variables"));
  const overrides = await createOne(first, plain, actionInput("r2_overrides"));
  const envs = await plain.sdk.environments.list();
  const env = (envs.find((e) => !e.buildOnChange) ?? envs[0]!).id;
  const want = size.r2Editors * size.r2ItemEdits;
  const varErrors: unknown[] = [];
  const overrideErrors: unknown[] = [];
  await Promise.all(
    editors.map(async (c, e) => {
      for (let k = 0; k < size.r2ItemEdits; k++) {
        const name = `E${e}_${k}`;
        await Promise.all([
          c.sdk.variables
            .upsert(vars.id, [{ name, type: "string", value: `v${e}.${k}` }])
            .catch((error: unknown) => varErrors.push(error)),
          c.sdk.overrides
            .apply(overrides.id, env, [{ name, value: `o${e}.${k}` }])
            .catch((error: unknown) => overrideErrors.push(error)),
        ]);
      }
    }),
  );
  const storedVars = (await plain.sdk.variables.get(vars.id)).variables;
  const storedOverrides = (await plain.sdk.overrides.get(overrides.id, env)).variables;
  const wanted = (prefix: string, have: { name: string; value: string | null }[]) => {
    let present = 0;
    for (let e = 0; e < size.r2Editors; e++)
      for (let k = 0; k < size.r2ItemEdits; k++)
        if (have.some((v) => v.name === `E${e}_${k}` && v.value === `${prefix}${e}.${k}`)) present++;
    return present;
  };
  const varsPresent = wanted("v", storedVars);
  const overridesPresent = wanted("o", storedOverrides);
  const figures = [
    exactly("R2", "variables present", varsPresent, want),
    exactly("R2", "lost variable edits", want - varsPresent, 0),
    exactly("R2", "failed variable edits", varErrors.length, 0),
    exactly("R2", "overrides present", overridesPresent, want),
    exactly("R2", "lost override edits", want - overridesPresent, 0),
    exactly("R2", "failed override edits", overrideErrors.length, 0),
  ];
  if (varErrors[0] !== undefined) figures.push(info("R2", "first variable error", String(varErrors[0])));
  if (overrideErrors[0] !== undefined)
    figures.push(info("R2", "first override error", String(overrideErrors[0])));
  return figures;
}
