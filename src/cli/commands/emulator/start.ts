import { type Capability, KNOWN_CAPABILITIES, parseCapabilityList } from "../../../domain/capabilities.js";
import { ValidationError } from "../../../errors.js";
import type { Handler } from "../../command.js";
import { UsageError } from "../../exit-codes.js";
import { intFlag } from "../../parse-flags.js";
import { untilStopped } from "../../until-stopped.js";
import type { start } from "./index.js";

export const run: Handler<typeof start> = async (ctx, { options }) => {
  const { out } = ctx;
  const port = intFlag("--port", options.port, 0, 65_535) ?? 8787;
  const perMinute = intFlag("--rate-limit", options.rateLimit, 1, 1_000_000);
  const tokenTtlSeconds = intFlag("--token-ttl", options.tokenTtl, 1, 31_536_000);
  let disableCapabilities: Capability[] | undefined;
  if (options.disableCapabilities !== undefined) {
    const parsed = parseCapabilityList(options.disableCapabilities);
    if ("unknown" in parsed)
      throw new UsageError(
        `--disable-capabilities: unknown capability '${parsed.unknown.slice(0, 40)}'; use a comma-separated list of ${KNOWN_CAPABILITIES.join(", ")}`,
      );
    disableCapabilities = parsed.names;
  }
  if (options.dataDir !== undefined && options.inMemory === true) {
    throw new UsageError("--data-dir and --in-memory cannot be used together: pick one");
  }
  if (options.database !== undefined && options.inMemory === true)
    throw new UsageError("--database and --in-memory cannot be used together: pick one");
  if (options.database !== undefined && !/^postgres(ql)?:\/\//i.test(options.database))
    throw new UsageError("--database takes a PostgreSQL URL: postgres://user@host:5432/dbname");
  if (options.publicUrl !== undefined) {
    const { publicUrlProblem } = await import("../../../emulator/issuer.js");
    const problem = publicUrlProblem(options.publicUrl);
    if (problem !== undefined) throw new UsageError(`--public-url ${problem}`);
  }
  const { startEmulator, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET } = await import("../../../emulator/server.js");
  let emulator: Awaited<ReturnType<typeof startEmulator>>;
  try {
    emulator = await startEmulator({
      host: options.host,
      port,
      ...(options.dataDir !== undefined
        ? { dataDir: options.dataDir }
        : options.database !== undefined
          ? {}
          : { inMemory: true }),
      ...(options.database !== undefined ? { database: options.database } : {}),
      ...(options.config !== undefined ? { configFile: options.config } : {}),
      ...(options.publicUrl !== undefined ? { publicUrl: options.publicUrl } : {}),
      ...(perMinute !== undefined ? { rateLimit: { perMinute, burst: Math.min(20, perMinute) } } : {}),
      ...(tokenTtlSeconds !== undefined ? { tokenTtlSeconds } : {}),
      ...(disableCapabilities !== undefined ? { disableCapabilities } : {}),
      ...(options.testHooks === true ? { testHooks: true } : {}),
      logLevel: options.logLevel,
      logFormat: options.logFormat,
      ...(options.insecureKeyPermissions === true ? { insecureKeyPermissions: true } : {}),
      ...(options.replicaId !== undefined ? { replicaId: options.replicaId } : {}),
    });
  } catch (error) {
    if (error instanceof ValidationError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE")
      throw new ValidationError(
        `port ${port} is already in use: pick another with --port (0 = any free port)`,
      );
    if (code === "EACCES")
      throw new ValidationError(`not allowed to bind ${options.host}:${port}: pick a port above 1023`);
    throw error;
  }
  const { maskDatabaseUrl } = await import("../../../emulator/store/database-errors.js");
  const database = options.database ?? emulator.config.database;
  const state =
    database !== undefined
      ? `PostgreSQL ${maskDatabaseUrl(database)}`
      : options.dataDir !== undefined
        ? `data directory ${options.dataDir}`
        : "in memory (use --data-dir DIR to keep it)";
  for (const warning of emulator.warnings) out.warn(warning);
  const publicUrl = emulator.publicUrl ?? emulator.url;
  if (out.json) {
    out.result({
      url: emulator.url,
      ...(emulator.publicUrl !== undefined ? { publicUrl: emulator.publicUrl } : {}),
      apiUrl: `${publicUrl}/api/v2`,
      tokenUrl: `${publicUrl}/oauth2/token`,
      state:
        database !== undefined
          ? { database: maskDatabaseUrl(database) }
          : options.dataDir !== undefined
            ? { dataDir: options.dataDir }
            : { inMemory: true },
    });
  } else {
    out.line(`cxda emulator listening on ${emulator.url}`);
    if (emulator.publicUrl !== undefined) out.line(`  public URL   ${emulator.publicUrl}`);
    out.line(`  API          ${publicUrl}/api/v2`);
    out.line(`  token URL    ${publicUrl}/oauth2/token`);
    if (options.config === undefined)
      out.line(`  demo client  ${DEMO_CLIENT_ID} / ${DEMO_CLIENT_SECRET}  (built in, for local use only)`);
    out.line(`  state        ${state}`);
    out.line("Press Ctrl+C to stop.");
  }
  await untilStopped();
  out.info("stopping the emulator…");
  await emulator.close();
  return 0;
};
