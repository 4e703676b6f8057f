/** Demo: typed and encrypted variables, the secret that never comes back, key rotation (issue 6). */
import { randomBytes } from "node:crypto";
import {
  getVariables,
  reencrypt,
  registerVariables,
  rotateKey,
  rotationCheck,
} from "../../workflows/variables.js";
import type { DemoSection } from "../demo-env.js";

const SCRIPT = `function main(context) {
  const v = context.variables;
  return { retries: v.maxRetries + 1, verbose: v.verbose, perMinute: v.limits.perMinute,
           apiKeyLength: v.apiKey.length };
}
`;

export const variablesSection: DemoSection = async (env) => {
  env.section("Variables: typed, encrypted, key rotation");
  const created = await env.client.actions.create({
    name: "demo_vars_crm",
    type: "SCRIPT",
    script: { language: "JavaScript", content: SCRIPT },
  });
  const apiKey = `sk_demo_${randomBytes(12).toString("hex")}`;
  const written = await registerVariables(env.ctx, "demo_vars_crm", [
    { name: "baseUrl", type: "string", value: "https://crm.example.com" },
    { name: "maxRetries", type: "integer", value: "3" },
    { name: "verbose", type: "boolean", value: "true" },
    { name: "limits", type: "object", value: '{"perMinute":60}' },
    { name: "apiKey", type: "string", value: apiKey, encrypted: true },
  ]);
  env.ok(
    `registered ${written.count} variables (${written.encryptedCount} encrypted) on demo_vars_crm → version ${written.version}; the server stored exactly the names sent`,
  );

  const read = await getVariables(env.ctx, "demo_vars_crm");
  const secret = read.variables.find((v) => v.name === "apiKey")!;
  env.say(
    `GET gives apiKey as value ${JSON.stringify(secret.value)}, key ${secret.keyId}, fingerprint ${secret.fingerprint?.slice(0, 24)}… (a keyed hash: equal secrets compare equal, the value stays hidden)`,
  );
  const run = await env.client.testRuns.create(created.body.id, { input: {} });
  env.say(
    `test run (${run.body.status}): the sandbox alone saw decrypted, typed values → ${JSON.stringify(run.body.output)}`,
  );

  const rotated = await rotateKey(env.ctx);
  env.ok(`rotated the tenant key: ${rotated.previousKeyId} → ${rotated.activeKeyId}`);
  const before = await rotationCheck(env.ctx, "demo_vars_crm");
  env.say(
    `rotation check: ${before.stale.length} secret on an old key (${before.stale.map((s) => `${s.name} @ ${s.keyId}`).join(", ")})`,
  );
  const moved = await reencrypt(env.ctx, "demo_vars_crm");
  env.ok(`re-encrypted ${moved.reencrypted.join(", ")} under ${moved.activeKeyId}`);
  const after = await rotationCheck(env.ctx, "demo_vars_crm");
  env.ok(
    `rotation check: ${after.clean ? "clean" : `${after.stale.length} still stale`}, ${after.checkedSecrets} secret checked`,
  );
};
