/** `cxda deployments list | show <id> | rollback <id>`: the tenant's committed changes, and their undoing. */
import { z } from "zod";
import { arg, bind, defineCommand, flag, group } from "../../command.js";

const id = arg(z.string(), "a deployment id (cxda deployments list shows them)", "id");

export const list = defineCommand({
  name: "list",
  description: "the tenant's deployments, newest first: id, revision, time, client, counts",
  options: z.object({
    limit: flag(z.coerce.number().int().min(1).optional(), "show at most this many (default 20)", {
      value: "<n>",
    }),
  }),
  examples: ["cxda deployments list", "cxda deployments list --limit 5 --json"],
});

export const show = defineCommand({
  name: "show",
  description: "one deployment: every resource it touched, with its version before and after",
  args: z.object({ id }),
  examples: ["cxda deployments show 0b7c…", "cxda deployments show 0b7c… --json"],
});

export const rollback = defineCommand({
  name: "rollback",
  description:
    "undo a deployment: restore exactly the resources it touched to their state before it (as a new deployment)",
  args: z.object({ id }),
  options: z.object({
    force: flag(
      z.boolean().optional(),
      "restore even the resources changed since the deployment (their later changes are lost)",
    ),
    dryRun: flag(
      z.boolean().optional(),
      "show what the rollback would restore and what changed since, and send nothing",
    ),
    description: flag(z.string().optional(), "the rollback deployment's description", { value: "<text>" }),
    yes: flag(z.boolean().optional(), "roll back without asking (required when stdin is not a terminal)"),
  }),
  help: `On a terminal the rollback shows its plan and asks first; elsewhere --yes is required (exit 64 without it).
Actions the deployment created are deleted, actions it deleted are re-created with their id, and
secrets are restored from their stored ciphertext (never read by cxda). A resource changed since the
deployment makes the rollback fail (exit 1, naming each) unless --force.`,
  examples: [
    "cxda deployments rollback 0b7c… --dry-run",
    "cxda deployments rollback 0b7c…",
    "cxda deployments rollback 0b7c… --yes --force --json",
  ],
});

export const deployments = group("deployments", [
  bind(list, () => import("./list.js")),
  bind(show, () => import("./show.js")),
  bind(rollback, () => import("./rollback.js")),
]);
