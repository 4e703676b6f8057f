// biome-ignore-all lint/suspicious/noTemplateCurlyInString: help text shows ${env:NAME} placeholders literally
import { examples, type RegisterGroup } from "../program.js";

const RULES_HELP = `
Rules (SPEC §4.1), checked on the RESULTING matrix before anything is sent:
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

export const registerHeaders: RegisterGroup = (program, run) => {
  const headers = program
    .command("headers")
    .description("HTTP request headers of an action (config.headers), edited with no lost updates");
  headers
    .command("get")
    .description("show an action's headers; credential-like values are masked")
    .argument("<ref>", "action name or id")
    .option("--show-values", "print credential-like values too (Authorization, *token*, *key*, …)")
    .addHelpText(
      "after",
      examples("cxda headers get crm_lookup", "cxda headers get crm_lookup --show-values --json"),
    )
    .action(run(async () => (await import("../commands/headers.js")).headersGet));
  headers
    .command("set")
    .description("add or change headers; the others stay")
    .argument("<ref>", "action name or id")
    .argument("<NAME=VALUE...>", "headers to set")
    .addHelpText(
      "after",
      RULES_HELP +
        examples(
          "cxda headers set crm_lookup X-Source=cxda Accept-Language=en-US",
          "cxda headers set crm_lookup 'Authorization=${env:CRM_TOKEN}'",
          "cxda headers set crm_lookup 'X-Api-Key=${file:./crm-key.txt}' --json",
        ),
    )
    .action(run(async () => (await import("../commands/headers.js")).headersSet));
  headers
    .command("unset")
    .description("remove headers by name (case-insensitive)")
    .argument("<ref>", "action name or id")
    .argument("<NAME...>", "header names to remove")
    .addHelpText(
      "after",
      examples("cxda headers unset crm_lookup X-Debug", "cxda headers unset crm_lookup x-a X-B --json"),
    )
    .action(run(async () => (await import("../commands/headers.js")).headersUnset));
  headers
    .command("replace")
    .description("make the headers exactly those of a YAML or JSON map (an empty map removes all)")
    .argument("<ref>", "action name or id")
    .requiredOption("-f, --file <FILE>", "YAML or JSON map of NAME: VALUE")
    .addHelpText(
      "after",
      RULES_HELP +
        examples(
          "cxda headers replace crm_lookup -f headers.yaml",
          "cxda headers replace crm_lookup -f headers.json --json",
        ) +
        "\nheaders.yaml:\n  X-Source: cxda\n  Authorization: Bearer ${env:CRM_TOKEN}\n",
    )
    .action(run(async () => (await import("../commands/headers.js")).headersReplace));
  headers
    .command("validate")
    .description("check headers offline (no server, no credentials); exit 65 when invalid")
    .argument("[NAME=VALUE...]", "headers to check")
    .option("-f, --file <FILE>", "YAML or JSON map of NAME: VALUE")
    .addHelpText(
      "after",
      RULES_HELP +
        examples(
          "cxda headers validate X-Source=cxda 'Authorization=${env:CRM_TOKEN}'",
          "cxda headers validate -f headers.yaml --json",
        ),
    )
    .action(run(async () => (await import("../commands/headers.js")).headersValidate));
};
