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
import {
  actionDiff,
  deployment,
  errorStatus,
  lastDeployments,
  revisions,
  rollback,
  rollbackPlan,
  timeline,
} from "./deployments.js";
import { SECURITY_HEADERS } from "./security-headers.js";
import { type ConsoleSessions, createSessions } from "./session.js";
import { loadStaticFiles } from "./static-files.js";
import { readModel } from "./tenant-model.js";

/** Reads a request body up to `limit` bytes (a longer one is cut off, and then fails to parse). */
function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => {
      if (text.length < limit) text += chunk;
    });
    req.on("end", () => resolve(text.slice(0, limit)));
    req.on("error", reject);
  });
}

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
    const rollbackPath = /^\/api\/deployments\/([A-Za-z0-9._-]{1,128})\/rollback$/.exec(url.pathname);
    if (!reading) {
      if (method !== "POST" || rollbackPath === null)
        return problem(res, 405, "not a write the console offers");
      if (!String(req.headers["content-type"] ?? "").startsWith("application/json"))
        return sendJson(res, 415, { error: 'send the rollback as application/json: {"force": false}' });
      const body = await readBody(req, 4096);
      let force = false;
      try {
        force = (JSON.parse(body || "{}") as { force?: unknown }).force === true;
      } catch {
        return sendJson(res, 400, { error: 'the body is not JSON; send {"force": false}' });
      }
      return answer(res, () => rollback(options.sdk, rollbackPath[1]!, force));
    }

    if (url.pathname === "/") return send(res, 200, index.type, index.body);
    if (url.pathname === "/api/model") return answer(res, () => readModel(options.sdk, redactor));
    if (url.pathname === "/api/deployments") return answer(res, () => timeline(options.sdk));
    if (url.pathname === "/api/last-deployments") return answer(res, () => lastDeployments(options.sdk));
    const deploymentPath = /^\/api\/deployments\/([A-Za-z0-9._-]{1,128})(\/rollback-plan)?$/.exec(
      url.pathname,
    );
    if (deploymentPath !== null)
      return answer(res, () =>
        deploymentPath[2] === undefined
          ? deployment(options.sdk, deploymentPath[1]!)
          : rollbackPlan(options.sdk, deploymentPath[1]!),
      );
    if (url.pathname === "/api/revisions") {
      const action = url.searchParams.get("action") ?? "";
      if (!/^[A-Za-z0-9._-]{1,128}$/.test(action))
        return sendJson(res, 400, { error: "give action (an id)" });
      return answer(res, () => revisions(options.sdk, action));
    }
    if (url.pathname === "/api/diff") {
      const action = url.searchParams.get("action") ?? "";
      const from = Number(url.searchParams.get("from"));
      const to = Number(url.searchParams.get("to"));
      if (
        !/^[A-Za-z0-9._-]{1,128}$/.test(action) ||
        !Number.isInteger(from) ||
        !Number.isInteger(to) ||
        from < 1 ||
        to < 1
      )
        return sendJson(res, 400, { error: "give action (an id), from and to (versions ≥ 1)" });
      return answer(res, () => actionDiff(options.sdk, redactor, action, from, to));
    }
    if (url.pathname === "/api/audit") {
      const { records, problems } = readAuditLog(options.auditLog);
      return sendJson(res, 200, redactor.redact({ file: options.auditLog, records, problems }));
    }
    const file = files.get(url.pathname);
    if (file !== undefined && url.pathname !== "/app/index.html") return send(res, 200, file.type, file.body);
    return problem(res, 404, "not found");
  };

  /** A JSON answer from the SDK, redacted; its errors with the server's status (or 502) and message. */
  const answer = async (res: ServerResponse, read: () => Promise<unknown>) => {
    try {
      return sendJson(res, 200, redactor.redact(await read()));
    } catch (error) {
      return sendJson(res, errorStatus(error), { error: redactor.redactString(errorMessage(error)) });
    }
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
