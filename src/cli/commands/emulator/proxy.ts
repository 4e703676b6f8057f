import type { Handler } from "../../command.js";
import { UsageError } from "../../exit-codes.js";
import { intFlag } from "../../parse-flags.js";
import { untilStopped } from "../../until-stopped.js";
import type { proxy } from "./index.js";

export const run: Handler<typeof proxy> = async (ctx, { options }) => {
  const { out } = ctx;
  const port = intFlag("--port", options.port, 0, 65_535) ?? 8080;
  const replicas = options.replicas
    .split(",")
    .map((u) => u.trim())
    .filter((u) => u !== "");
  if (replicas.length === 0) throw new UsageError("--replicas takes one or more URLs, comma-separated");
  for (const replica of replicas) {
    let url: URL | undefined;
    try {
      url = new URL(replica);
    } catch {}
    if (url?.protocol !== "http:")
      throw new UsageError(
        `--replicas: ${JSON.stringify(replica)} is not an http:// URL (e.g. http://127.0.0.1:8787)`,
      );
  }
  const { startRoundRobinProxy } = await import("../../../emulator/replicas/round-robin-proxy.js");
  const running = await startRoundRobinProxy({ host: options.host, port, replicas });
  if (out.json) out.result({ url: running.url, replicas });
  else {
    out.line(`cxda proxy listening on ${running.url}`);
    for (const replica of replicas) out.line(`  replica      ${replica}`);
    out.line("Press Ctrl+C to stop.");
  }
  await untilStopped();
  await running.close();
  return 0;
};
