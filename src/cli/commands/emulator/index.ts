/** `cxda emulator start`: the Data Actions API on loopback. */
import { z } from "zod";
import { bind, defineCommand, flag, group } from "../../command.js";

export const start = defineCommand({
  name: "start",
  description: "serve the Data Actions API on loopback (see docs/api.md)",
  options: z.object({
    host: flag(
      z.string().default("127.0.0.1"),
      "address to bind; any non-loopback address needs --config with your own clients",
      { value: "<host>" },
    ),
    port: flag(z.string().default("8787"), "port (0 = any free port)", { value: "<port>" }),
    publicUrl: flag(
      z.string().optional(),
      "the URL clients use (OAuth issuer and every advertised URL), e.g. behind Docker or a proxy",
      { value: "<url>" },
    ),
    dataDir: flag(z.string().optional(), "keep state in this directory (SQLite, survives restarts)", {
      value: "<dir>",
    }),
    inMemory: flag(z.boolean().optional(), "keep state in memory only (the default)"),
    database: flag(
      z.string().optional(),
      "keep state in PostgreSQL instead of SQLite (several emulators may share it); tables are made at start",
      { value: "<postgres://…>" },
    ),
    config: flag(z.string().optional(), "tenants, clients, environments (YAML or JSON)", { value: "<file>" }),
    rateLimit: flag(z.string().optional(), "requests per minute per client", { value: "<n>" }),
    tokenTtl: flag(z.string().optional(), "access token lifetime", { value: "<seconds>" }),
    disableCapabilities: flag(
      z.string().optional(),
      "leave these out of GET /api/v2, their endpoints answering 404 (snapshot, changesets, deployments, revisions), to test a client's fallback",
      { value: "<list>" },
    ),
    logLevel: flag(
      z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
      "access log level on standard error: info logs one JSON line per request; silent logs nothing",
      { value: "<level>" },
    ),
    logFormat: flag(
      z.enum(["json", "pretty"]).default("json"),
      "access log lines as JSON or one readable line",
      {
        value: "<format>",
      },
    ),
    testHooks: flag(
      z.boolean().optional(),
      "serve the /_emulator test hooks on a non-loopback --host too (loopback clients only)",
    ),
    insecureKeyPermissions: flag(
      z.boolean().optional(),
      "start even when <data-dir>/root.key is readable by others than its owner (warns instead)",
    ),
    replicaId: flag(
      z.string().optional(),
      "this replica's name, shown on /healthz and on test-hook responses (default: generated)",
      { value: "<id>" },
    ),
  }),
  examples: [
    "cxda emulator start --in-memory",
    "cxda emulator start --data-dir .cxda --port 9000 --token-ttl 60",
    "cxda emulator start --database postgres://cxda@db.internal:5432/cxda",
    "cxda emulator start --host 0.0.0.0 --config emulator.yaml --public-url http://cxda:8787",
  ],
});

export const proxy = defineCommand({
  name: "proxy",
  description:
    "a round-robin HTTP proxy in front of several emulator replicas on one PostgreSQL database (for trying replicas out or CI; use your own load balancer in production)",
  options: z.object({
    host: flag(z.string().default("127.0.0.1"), "address to bind", { value: "<host>" }),
    port: flag(z.string().default("8080"), "port (0 = any free port)", { value: "<port>" }),
    replicas: flag(z.string(), "comma-separated base URLs of the replicas", { value: "<urls>" }),
  }),
  examples: ["cxda emulator proxy --port 8080 --replicas http://127.0.0.1:8787,http://127.0.0.1:8788"],
});

export const emulator = group("emulator", [
  bind(start, () => import("./start.js")),
  bind(proxy, () => import("./proxy.js")),
]);
