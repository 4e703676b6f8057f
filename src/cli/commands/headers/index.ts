// biome-ignore-all lint/suspicious/noTemplateCurlyInString: help text shows ${env:NAME} placeholders literally
/** `cxda headers get | set | unset | replace | validate`: config.headers, edited with no lost updates. */
import { z } from "zod";
import { arg, bind, defineCommand, dryRunFlag, flag, group } from "../../command.js";

const RULES_HELP = `
Rules (see docs/cli.md, "headers"), checked on the RESULTING matrix before anything is sent:
  name     ^[A-Za-z0-9_-]+$, unique ignoring case; reserved: Host, Transfer-Encoding, Content-Length,
           Connection, Keep-Alive, Proxy-Authorization, TE, Trailer, Upgrade, Via, X-Forwarded-For,
           X-Forwarded-Proto
  value    one line: no CR, LF, NUL or other control characters (HTAB allowed), no DEL, no leading or
           trailing whitespace
  size     name + value + 2 bytes <= 8192 per header and for all headers together
NAME=VALUE splits at the first '=': A=b=c sets A to "b=c". A VALUE may be \${env:NAME} or
\${file:PATH} so credentials stay out of shell history; such values are never printed.
Concurrent edits never lose each other's headers: on a version conflict the edit is re-applied.
Invalid input exits 65; a misused command line exits 64.
`;

const ref = arg(z.string(), "action name or id");
const file = (help: string) => flag(z.string(), help, { short: "-f", value: "<FILE>" });

export const get = defineCommand({
  name: "get",
  description: "show an action's headers; credential-like values are masked",
  args: z.object({ ref }),
  options: z.object({
    showValues: flag(
      z.boolean().optional(),
      "print credential-like values too (Authorization, *token*, *key*, …)",
    ),
  }),
  examples: ["cxda headers get crm_lookup", "cxda headers get crm_lookup --show-values --json"],
});

export const set = defineCommand({
  name: "set",
  description: "add or change headers; the others stay",
  args: z.object({ ref, pairs: arg(z.array(z.string()), "headers to set", "NAME=VALUE") }),
  options: z.object({ dryRun: dryRunFlag() }),
  help: RULES_HELP,
  examples: [
    "cxda headers set crm_lookup X-Source=cxda Accept-Language=en-US",
    "cxda headers set crm_lookup 'Authorization=${env:CRM_TOKEN}'",
    "cxda headers set crm_lookup 'X-Api-Key=${file:./crm-key.txt}' --json",
    "cxda headers set crm_lookup X-Source=cxda --dry-run",
  ],
});

export const unset = defineCommand({
  name: "unset",
  description: "remove headers by name (case-insensitive)",
  args: z.object({ ref, names: arg(z.array(z.string()), "header names to remove", "NAME") }),
  options: z.object({ dryRun: dryRunFlag() }),
  examples: ["cxda headers unset crm_lookup X-Debug", "cxda headers unset crm_lookup x-a X-B --json"],
});

export const replace = defineCommand({
  name: "replace",
  description: "make the headers exactly those of a YAML or JSON map (an empty map removes all)",
  args: z.object({ ref }),
  options: z.object({ file: file("YAML or JSON map of NAME: VALUE (- reads stdin)"), dryRun: dryRunFlag() }),
  help: RULES_HELP,
  examples: [
    "cxda headers replace crm_lookup -f headers.yaml",
    "cxda headers replace crm_lookup -f headers.json --json",
  ],
  helpAfter: "\nheaders.yaml:\n  X-Source: cxda\n  Authorization: Bearer ${env:CRM_TOKEN}\n",
});

export const validate = defineCommand({
  name: "validate",
  description: "check headers offline (no server, no credentials); exit 65 when invalid",
  args: z.object({ pairs: arg(z.array(z.string()).default([]), "headers to check", "NAME=VALUE") }),
  options: z.object({
    file: flag(z.string().optional(), "YAML or JSON map of NAME: VALUE (- reads stdin)", {
      short: "-f",
      value: "<FILE>",
    }),
  }),
  help: RULES_HELP,
  examples: [
    "cxda headers validate X-Source=cxda 'Authorization=${env:CRM_TOKEN}'",
    "cxda headers validate -f headers.yaml --json",
  ],
});

export const headers = group("headers", [
  bind(get, () => import("./get.js")),
  bind(set, () => import("./edit.js").then((m) => ({ run: m.runSet }))),
  bind(unset, () => import("./edit.js").then((m) => ({ run: m.runUnset }))),
  bind(replace, () => import("./edit.js").then((m) => ({ run: m.runReplace }))),
  bind(validate, () => import("./validate.js")),
]);
