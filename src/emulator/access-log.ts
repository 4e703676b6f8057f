/**
 * The emulator's access log (docs/emulator.md, "Logs"): one pino JSON line per request with the request
 * id, tenant, client id, method, route pattern, status and duration. Built from facts the server already
 * holds — never from a header value, a body, a query string or a token — so no secret can reach it.
 */
import type { Writable } from "node:stream";
import { type DestinationStream, type Logger, pino } from "pino";
import { ValidationError } from "../errors.js";

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const LOG_FORMATS = ["json", "pretty"] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export interface AccessLogOptions {
  /** Default `silent` for `startEmulator` (tests, the demo); `cxda emulator start` passes `info`. */
  level?: LogLevel;
  /** `json` (default): one JSON object per line; `pretty`: pino-pretty's one-line human form. */
  format?: LogFormat;
  /** Where lines go; default standard error (standard output stays the CLI's own). */
  destination?: Writable;
  /** Colors in the pretty form; default: when the destination is a TTY and NO_COLOR is unset. */
  colorize?: boolean;
}

/** One access line's fields. */
export interface AccessEntry {
  reqId: string;
  tenant: string | null;
  clientId: string | null;
  method: string;
  /** The matched route pattern (`/api/v2/dataactions/:id`), null when no route matched. */
  route: string | null;
  /** null when the connection was reset or dropped before an answer. */
  status: number | null;
  durationMs: number;
  fault?: string;
}

export type AccessLogger = Pick<Logger, "info" | "error" | "isLevelEnabled" | "flush">;

function checkLevel(level: string): LogLevel {
  if ((LOG_LEVELS as readonly string[]).includes(level)) return level as LogLevel;
  throw new ValidationError(`log level "${level.slice(0, 40)}" is not one of ${LOG_LEVELS.join(", ")}`, {
    slug: "validation-failed",
  });
}

/** A pino logger for the access log, or undefined when the level is `silent` (nothing is built). */
export async function createAccessLogger(options: AccessLogOptions = {}): Promise<AccessLogger | undefined> {
  const level = checkLevel(options.level ?? "silent");
  if (level === "silent") return undefined;
  const format = options.format ?? "json";
  if (!(LOG_FORMATS as readonly string[]).includes(format))
    throw new ValidationError(`log format "${String(format).slice(0, 40)}" is not json or pretty`, {
      slug: "validation-failed",
    });
  const target = options.destination ?? process.stderr;
  let stream: DestinationStream = target as unknown as DestinationStream;
  if (format === "pretty") {
    const { build } = await import("pino-pretty");
    const tty = (target as { isTTY?: boolean }).isTTY === true;
    stream = build({
      destination: target,
      colorize: options.colorize ?? (tty && !process.env.NO_COLOR),
      translateTime: "SYS:HH:MM:ss.l",
      ignore: "pid,hostname",
      messageFormat:
        "{method} {route} → {status} in {durationMs} ms, tenant={tenant} client={clientId} id={reqId}",
      hideObject: true,
      sync: true,
    });
  }
  const logger: AccessLogger = pino(
    {
      level,
      base: null,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    stream,
  );
  return logger;
}

export function writeAccessLine(logger: AccessLogger, entry: AccessEntry): void {
  logger.info(entry, "request");
}
