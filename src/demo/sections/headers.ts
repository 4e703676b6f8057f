import { randomBytes } from "node:crypto";
import { REDACTED } from "../../audit/redactor.js";
import type { CxdaClient } from "../../client/types.js";
import { isCredentialHeader } from "../../domain/credential-header.js";
import { MAX_HEADER_BYTES } from "../../domain/headers.js";
import { ValidationError } from "../../errors.js";
import { getHeaders, type HeadersSyncEvent, setHeaders } from "../../workflows/headers.js";
import type { WorkflowContext } from "../../workflows/operation.js";
import type { DemoEnv, DemoSection } from "../demo-env.js";

const ACTION = "crm_lookup";

/** Header edits: the resulting matrix validated, values never logged, no lost updates. */
export const headersSection: DemoSection = async (env) => {
  env.section("Request headers: validated edits with no lost updates");
  await env.client.actions.create({
    name: ACTION,
    description: "looks a contact up in the CRM",
    type: "HTTP",
    enabled: true,
    trigger: { type: "MANUAL" },
    config: {
      request: { method: "GET", urlTemplate: "https://crm.example.com/contacts/{contactId}" },
      headers: { "X-Source": "cxda" },
    },
    dependencies: [],
  });

  // A credential-like value: the workflow registers it with the redactor, so no sink prints it.
  const token = `Bearer crm_${randomBytes(12).toString("hex")}`;
  const synced: HeadersSyncEvent[] = [];
  const set = await setHeaders(
    env.ctx,
    ACTION,
    { Authorization: token, "Accept-Language": "en-US" },
    { onSync: (e) => void synced.push(e) },
  );
  env.ok(
    `set on ${ACTION}: added ${set.added.join(", ")} → version ${set.action.version}, ${set.bytesAfter} of ${MAX_HEADER_BYTES} bytes`,
  );
  const gateway = synced[0];
  if (gateway)
    env.say(
      `security-gateway hook (onSync) got names only: +[${gateway.added.join(", ")}] ~[${gateway.changed.join(", ")}] -[${gateway.removed.join(", ")}]`,
    );
  await showMatrix(env);

  for (const [what, headers] of [
    ["a reserved header", { Host: "evil.example.com" }],
    ["a CR/LF injection", { "X-Trace": "on\r\nX-Injected: 1" }],
  ] as const) {
    try {
      await setHeaders(env.ctx, ACTION, headers);
      env.say(`unexpected: ${what} was accepted`);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      env.refused(`${what} refused, nothing written: ${error.issues[0]?.message ?? error.message}`);
    }
  }

  // Two editors that both read the same version before either writes: one gets 412, re-reads, re-applies.
  const before = (await getHeaders(env.ctx, ACTION)).action.version;
  const barrier = meetingPoint(2);
  const [a, b] = await Promise.all([
    setHeaders(editor(env.ctx, barrier), ACTION, { "X-Tenant": "acme" }),
    setHeaders(editor(env.ctx, barrier), ACTION, { "X-Trace": "on" }),
  ]);
  const final = await getHeaders(env.ctx, ACTION);
  const both = "X-Tenant" in final.headers && "X-Trace" in final.headers;
  env.ok(
    `two editors read version ${before} at once: ${both ? "both headers are in the final matrix" : "a header was LOST"} ` +
      `(version ${final.action.version}; ${a.conflicts + b.conflicts} conflict re-read and re-applied)`,
  );
  await showMatrix(env);
};

async function showMatrix(env: DemoEnv): Promise<void> {
  const { headers } = await getHeaders(env.ctx, ACTION);
  const shown = Object.entries(headers).map(([n, v]) => `${n}: ${isCredentialHeader(n, v) ? REDACTED : v}`);
  env.say(`headers now: ${shown.join(" | ")}`);
}

/** A context whose first read waits until `count` editors have read, so their writes race for real. */
function editor(ctx: WorkflowContext, barrier: () => Promise<void>): WorkflowContext {
  let first = true;
  const actions = {
    ...ctx.client.actions,
    resolve: async (ref: string) => {
      const action = await ctx.client.actions.resolve(ref);
      if (first) {
        first = false;
        await barrier();
      }
      return action;
    },
  };
  const client = Object.assign(Object.create(ctx.client) as CxdaClient, { actions });
  return { ...ctx, client };
}

function meetingPoint(count: number): () => Promise<void> {
  let arrived = 0;
  let release!: () => void;
  const all = new Promise<void>((resolve) => {
    release = resolve;
  });
  return () => {
    arrived++;
    if (arrived >= count) release();
    return all;
  };
}
