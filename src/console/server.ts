/**
 * `cxda console`: a local web app over the CLI's SDK. It listens on 127.0.0.1 only, answers only
 * requests that carry the session (exchanged once for the login token in the printed URL), accepts
 * writes only from its own origin, refuses other Host names (DNS rebinding) and cross-site fetches, and
 * sends every response under a strict Content-Security-Policy. The browser gets views of the tenant
 * (tenant-model.ts) and of the local audit log, never a token or a client secret.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type CxdaSdk, defaultRedactor, type Redactor, readAuditLog } from "../index.js";
import { SECURITY_HEADERS } from "./security-headers.js";
import { type ConsoleSessions, createSessions } from "./session.js";
import { loadStaticFiles } from "./static-files.js";
import { readModel } from "./tenant-model.js";

export interface ConsoleOptions {
  /** The SDK the console reads with (the CLI's, with the active profile's credentials). */
  sdk: CxdaSdk;
  /** The local audit log the Audit view reads. */
  auditLog: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  redactor?: Redactor;
}

export interface RunningConsole {
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** The URL to open once: it carries the one-time login token. */
  loginUrl: string;
  close(): Promise<void>;
}

const HOST = "127.0.0.1";

function send(
  res: ServerResponse,
  status: number,
  type: string,
  body: string | Buffer,
  extra: Record<string, string> = {},
): void {
  res.writeHead(status, { ...SECURITY_HEADERS, "content-type": type, ...extra });
  res.end(body);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  send(res, status, "application/json; charset=utf-8", JSON.stringify(body));
}

function problem(res: ServerResponse, status: number, message: string): void {
  send(res, status, "text/plain; charset=utf-8", `${message}\n`);
}

/** The request is from the console's own page: checked on every method but GET and HEAD. */
export function sameOrigin(req: IncomingMessage, origin: string): boolean {
  const site = req.headers["sec-fetch-site"];
  if (site !== undefined && site !== "same-origin") return false;
  const from = req.headers.origin;
  if (from !== undefined) return from === origin;
  return site === "same-origin";
}

export async function startConsole(options: ConsoleOptions): Promise<RunningConsole> {
  const redactor = options.redactor ?? defaultRedactor;
  // Signs in and reads the capabilities before the URL is printed: wrong credentials or an unreachable
  // server fail here, in the terminal, and a view load then costs one snapshot request.
  await options.sdk.snapshot.available();
  const files = loadStaticFiles();
  const index = files.get("/app/index.html")!;
  let sessions: ConsoleSessions | undefined;
  let origin = "";
  let hosts: string[] = [];

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    // A page on another site that resolves its own name to 127.0.0.1 sends its own Host: refused.
    if (!hosts.includes(req.headers.host ?? "")) return problem(res, 421, "unknown host");
    const url = new URL(req.url ?? "/", origin);
    const method = req.method ?? "GET";
    const reading = method === "GET" || method === "HEAD";
    if (!reading && !sameOrigin(req, origin)) return problem(res, 403, "cross-origin request refused");
    // Scripts, styles and the API are for the console's own page only.
    const site = req.headers["sec-fetch-site"];
    if (site === "cross-site" || site === "same-site") return problem(res, 403, "cross-site request refused");

    if (url.pathname === "/" && url.searchParams.has("token")) {
      const id = sessions!.exchange(url.searchParams.get("token") ?? "");
      if (id === undefined)
        return problem(res, 403, "this console link is wrong or was used already; run cxda console again");
      // The token leaves the address bar at once.
      return send(res, 303, "text/plain; charset=utf-8", "", {
        location: "/",
        "set-cookie": sessions!.cookie(id),
      });
    }
    if (!sessions!.authorized(req.headers.cookie))
      return problem(res, 401, "open the URL that cxda console printed (it signs this browser in)");
    if (!reading) return problem(res, 405, "the console accepts GET only");

    if (url.pathname === "/") return send(res, 200, index.type, index.body);
    if (url.pathname === "/api/model") {
      try {
        return sendJson(res, 200, await readModel(options.sdk, redactor));
      } catch (error) {
        return sendJson(res, 502, { error: redactor.redactString(errorMessage(error)) });
      }
    }
    if (url.pathname === "/api/audit") {
      const { records, problems } = readAuditLog(options.auditLog);
      return sendJson(res, 200, redactor.redact({ file: options.auditLog, records, problems }));
    }
    const file = files.get(url.pathname);
    if (file !== undefined && url.pathname !== "/app/index.html") return send(res, 200, file.type, file.body);
    return problem(res, 404, "not found");
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) problem(res, 500, redactor.redactString(errorMessage(error)));
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, HOST, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  origin = `http://${HOST}:${port}`;
  hosts = [`${HOST}:${port}`, `localhost:${port}`];
  sessions = createSessions(port);
  return {
    url: origin,
    loginUrl: `${origin}/?token=${sessions.loginToken}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
