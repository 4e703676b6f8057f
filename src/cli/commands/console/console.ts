import { spawn } from "node:child_process";
import type { Handler } from "../../command.js";
import { UsageError } from "../../exit-codes.js";
import { untilStopped } from "../../until-stopped.js";
import type { spec } from "./index.js";

/** Asks the desktop to open a URL; quietly nothing where there is no desktop. */
function openInBrowser(url: string): void {
  const [command, args] =
    process.platform === "darwin"
      ? ["open", [url]]
      : process.platform === "win32"
        ? ["cmd", ["/c", "start", "", url]]
        : ["xdg-open", [url]];
  try {
    const child = spawn(command, args as string[], { stdio: "ignore", detached: true });
    child.on("error", () => {});
    child.unref();
  } catch {
    // No opener: the URL is printed anyway.
  }
}

export const run: Handler<typeof spec> = async (ctx, { options }) => {
  const port = Number(options.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new UsageError(`--port: "${options.port}" is not a port; give 0–65535 (0 picks a free one)`);
  const [{ startConsole }, { bindWorkflows }] = await Promise.all([
    import("../../../console/server.js"),
    import("../../../sdk/create-sdk.js"),
  ]);
  const settings = ctx.settings();
  // With the recorder: a rollback started in the console is audited and sent to the webhook like the CLI's.
  const sdk = bindWorkflows(await ctx.client(), await ctx.recorder());
  const running = await startConsole({ sdk, auditLog: settings.auditLog, port, redactor: ctx.redactor });
  // The login URL carries the one-time token on purpose: it is what signs the browser in.
  if (ctx.out.json) ctx.out.result({ url: running.url, loginUrl: running.loginUrl }, { unmasked: true });
  else {
    ctx.out.line(`cxda console on ${running.url} (tenant ${settings.baseUrl})`);
    ctx.out.line(`  open ${running.loginUrl}`, { unmasked: true });
    ctx.out.line("  the link signs one browser in, once; Ctrl+C stops the console");
  }
  await ctx.out.flush();
  if (options.open === true) openInBrowser(running.loginUrl);
  await untilStopped();
  ctx.out.info("stopping the console…");
  await running.close();
  return 0;
};
