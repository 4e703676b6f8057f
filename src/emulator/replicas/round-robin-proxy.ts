/**
 * A minimal round-robin HTTP proxy in front of several emulator replicas (`cxda emulator proxy`): for a
 * worked example, CI, and the replica tests; a production deployment uses its own load balancer.
 *
 * Each request goes to the next replica in turn, with its Host header kept (so OAuth discovery
 * advertises the proxy's address). The request body is read first (at most the emulator's own
 * 8 MiB limit), so a replica that refuses the connection is skipped and the request sent to the next one:
 * nothing reached the refusing one. A replica that refused is left out for `downForMs`. A replica that
 * fails after the request was sent (it died mid-request) is not retried here, since the request may
 * have been applied: the client gets 502 and retries the way it retries any 502 (with its idempotency
 * key); only a GET, HEAD, OPTIONS, PUT or DELETE that failed on a kept-alive connection before any answer
 * goes to the next replica. A response cut off mid-body cuts the client's connection too.
 */
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** The largest body the emulator takes (a changeset request). */
const MAX_BODY_BYTES = 8 * 1024 * 1024;
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
]);

const IDEMPOTENT = new Set(["GET", "HEAD", "OPTIONS", "PUT", "DELETE"]);

export interface RoundRobinProxyOptions {
  /** Base URLs of the replicas, e.g. `http://127.0.0.1:8787`. */
  replicas: readonly string[];
  host?: string;
  /** Default 8080; 0 = a free port. */
  port?: number;
  /** How long a replica that refused a connection is skipped (default 1 000 ms). */
  downForMs?: number;
}

export interface RunningProxy {
  url: string;
  port: number;
  /** Handles one request (for a server of the caller's own). */
  handle(request: IncomingMessage, response: ServerResponse): void;
  close(): Promise<void>;
}

interface Replica {
  url: URL;
  downUntil: number;
}

export function createRoundRobinProxy(options: RoundRobinProxyOptions): Omit<
  RunningProxy,
  "url" | "port" | "close"
> & {
  agent: http.Agent;
} {
  if (options.replicas.length === 0) throw new Error("give at least one replica URL");
  const replicas: Replica[] = options.replicas.map((u) => {
    const url = new URL(u);
    if (url.protocol !== "http:") throw new Error(`replica URLs are http:// URLs, got ${JSON.stringify(u)}`);
    return { url, downUntil: 0 };
  });
  const downForMs = options.downForMs ?? 1_000;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  let next = 0;

  /** Replicas in the order to try: the next in turn first, those marked down last. */
  const order = (): Replica[] => {
    const start = next;
    next = (next + 1) % replicas.length;
    const now = Date.now();
    const turn = replicas.map((_, i) => replicas[(start + i) % replicas.length]!);
    return [...turn.filter((r) => r.downUntil <= now), ...turn.filter((r) => r.downUntil > now)];
  };

  const fail = (response: ServerResponse, status: number, detail: string) => {
    if (response.headersSent) {
      response.destroy();
      return;
    }
    const body = JSON.stringify({
      type: "about:blank",
      title: status === 413 ? "Payload too large" : "Bad gateway",
      status,
      detail,
    });
    response.writeHead(status, {
      "content-type": "application/problem+json",
      "content-length": Buffer.byteLength(body),
      ...(status === 502 ? { "retry-after": "1" } : {}),
    });
    response.end(body);
  };

  const forward = (request: IncomingMessage, response: ServerResponse, body: Buffer, tries: Replica[]) => {
    const replica = tries.shift();
    if (replica === undefined) {
      fail(response, 502, "No replica accepted the connection.");
      return;
    }
    const headers: http.OutgoingHttpHeaders = {};
    for (const [name, value] of Object.entries(request.headers))
      if (!HOP_BY_HOP.has(name) && value !== undefined) headers[name] = value;
    if (body.length > 0 || request.headers["content-length"] !== undefined)
      headers["content-length"] = body.length;
    let sent = false;
    const upstream = http.request(
      {
        protocol: replica.url.protocol,
        hostname: replica.url.hostname,
        port: replica.url.port,
        method: request.method,
        path: request.url,
        headers,
        agent,
      },
      (answer) => {
        const out: http.OutgoingHttpHeaders = {};
        for (const [name, value] of Object.entries(answer.headers))
          if (!HOP_BY_HOP.has(name) && value !== undefined) out[name] = value;
        response.writeHead(answer.statusCode ?? 502, out);
        answer.pipe(response);
        answer.on("error", () => response.destroy());
        answer.on("aborted", () => response.destroy());
      },
    );
    upstream.on("socket", (socket) => {
      if (!socket.connecting) sent = true;
      else socket.once("connect", () => (sent = true));
    });
    let answered = false;
    upstream.on("response", () => (answered = true));
    upstream.on("error", (error: NodeJS.ErrnoException) => {
      if (!sent && (error.code === "ECONNREFUSED" || error.code === "EHOSTUNREACH")) {
        replica.downUntil = Date.now() + downForMs;
        forward(request, response, body, tries);
        return;
      }
      // A kept-alive connection the replica had closed (it stopped, or it was killed) fails before any
      // answer; a request whose method is idempotent is safe to send to the next replica.
      if (!answered && upstream.reusedSocket && IDEMPOTENT.has(request.method ?? "")) {
        forward(request, response, body, tries);
        return;
      }
      fail(
        response,
        502,
        "The replica failed before it answered; the request may or may not have been applied.",
      );
    });
    response.on("close", () => {
      if (!response.writableFinished) upstream.destroy();
    });
    upstream.end(body);
  };

  const handle = (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    request.on("end", () => {
      if (tooLarge) fail(response, 413, `Request bodies are limited to ${MAX_BODY_BYTES} bytes.`);
      else forward(request, response, Buffer.concat(chunks), order());
    });
    request.on("error", () => response.destroy());
  };
  return { handle, agent };
}

export async function startRoundRobinProxy(options: RoundRobinProxyOptions): Promise<RunningProxy> {
  const { handle, agent } = createRoundRobinProxy(options);
  const server = http.createServer(handle);
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 8080, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
    port,
    handle,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        agent.destroy();
      }),
  };
}
