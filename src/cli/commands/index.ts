/**
 * The top level of the command tree, in the order `cxda --help` lists it: a name, the one line shown
 * there, and the module declaring the command or group. Only the module of the command being run
 * (or asked for help) is loaded, so `cxda --help` and `cxda --version` load no zod and no handler.
 */
import type { CommandNode } from "../command.js";

export interface TopLevelEntry {
  name: string;
  summary: string;
  load: () => Promise<CommandNode>;
}

export const TOP_LEVEL: readonly TopLevelEntry[] = [
  {
    name: "emulator",
    summary: "the local Data Actions emulator",
    load: async () => (await import("./emulator/index.js")).emulator,
  },
  {
    name: "demo",
    summary: "run every workflow against an embedded emulator and print a report (what `npm start` runs)",
    load: async () => (await import("./demo/index.js")).demo,
  },
  {
    name: "configure",
    summary: "write a profile (base URL, client id, secret): asks on a terminal, flags otherwise",
    load: async () => (await import("./configure/index.js")).configure,
  },
  {
    name: "profiles",
    summary: "the profiles of the config file (never their secrets)",
    load: async () => (await import("./profiles/index.js")).profiles,
  },
  { name: "auth", summary: "credentials", load: async () => (await import("./auth/index.js")).auth },
  {
    name: "actions",
    summary: "Data Actions",
    load: async () => (await import("./actions/index.js")).actions,
  },
  {
    name: "headers",
    summary: "HTTP request headers of an action (config.headers), edited with no lost updates",
    load: async () => (await import("./headers/index.js")).headers,
  },
  {
    name: "vars",
    summary: "typed and encrypted variables of an action (and global ones), key rotation",
    load: async () => (await import("./vars/index.js")).vars,
  },
  {
    name: "overrides",
    summary: "per-environment variable overrides (dev, staging, prod, …)",
    load: async () => (await import("./overrides/index.js")).overrides,
  },
  {
    name: "drift",
    summary: "compare the overrides of two environments, for one action or the whole tenant",
    load: async () => (await import("./drift/index.js")).drift,
  },
  {
    name: "promote",
    summary:
      "copy overrides from one environment into the next (dev → staging → prod), secrets included, unseen",
    load: async () => (await import("./promote/index.js")).promote,
  },
  {
    name: "environments",
    summary: "the tenant's environments (dev, staging, prod, …)",
    load: async () => (await import("./environments/index.js")).environments,
  },
  {
    name: "builds",
    summary: "builds of an action for an environment",
    load: async () => (await import("./builds/index.js")).builds,
  },
  {
    name: "datetime",
    summary: "exact date/time arithmetic across time zones and DST (config.dateProcessing)",
    load: async () => (await import("./datetime/index.js")).datetime,
  },
  {
    name: "init",
    summary: "start a project: cxda.yaml with its schema, scripts/, a .gitignore; overwrites nothing",
    load: async () => (await import("./init/index.js")).init,
  },
  {
    name: "validate",
    summary:
      "check a cxda.yaml offline: every rule, every problem at once, as file:line:column; needs no secret values",
    load: async () => (await import("./project/index.js")).validate,
  },
  {
    name: "schema",
    summary: "print the JSON Schema of cxda.yaml (draft-07, for editors and yaml-language-server)",
    load: async () => (await import("./project/index.js")).schema,
  },
  {
    name: "plan",
    summary: "compare a cxda.yaml with the live tenant and show what apply would change",
    load: async () => (await import("./project/index.js")).plan,
  },
  {
    name: "apply",
    summary:
      "apply a cxda.yaml to the tenant as one changeset (all or nothing) where the server offers it, else write by write; safe to re-run after a crash",
    load: async () => (await import("./project/index.js")).apply,
  },
  {
    name: "export",
    summary:
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the placeholder syntax, shown to users as is
      "write the live tenant as a cxda.yaml plus script files; secrets become ${env:…} placeholders",
    load: async () => (await import("./project/index.js")).exportProject,
  },
  {
    name: "deployments",
    summary: "the tenant's deployments (every committed change): list, show, roll one back",
    load: async () => (await import("./deployments/index.js")).deployments,
  },
  {
    name: "history",
    summary: "an action's versions, newest first, with the deployment of each",
    load: async () => (await import("./history/index.js")).history,
  },
  {
    name: "diff",
    summary: "a unified diff of an action's script and configuration between two versions",
    load: async () => (await import("./diff/index.js")).diff,
  },
  {
    name: "rollback",
    summary: "restore one action to a past version (one change, refused if the action moved)",
    load: async () => (await import("./rollback/index.js")).rollback,
  },
  {
    name: "console",
    summary:
      "a local web console: actions, drift matrix, dependency graph, audit trail (127.0.0.1, one-time login)",
    load: async () => (await import("./console/index.js")).consoleCommand,
  },
  {
    name: "audit",
    summary: "read and filter the audit log",
    load: async () => (await import("./audit/index.js")).audit,
  },
  {
    name: "completion",
    summary: "print a completion script for bash, zsh or fish (commands, flags, action names)",
    load: async () => (await import("./completion/index.js")).completion,
  },
  {
    name: "version",
    summary: "the version, the git commit it was built from, Node, the platform and the API version",
    load: async () => (await import("./version/index.js")).version,
  },
];
