/**
 * Six ways to spell one request path that a router which percent-decodes and normalises still routes
 * to the same place (issue 15 item 1), and a raw HTTP request that sends the target byte for byte
 * (fetch and undici would resolve the dot segments first).
 */
import { request } from "node:http";

const hex = (c: string) => c.charCodeAt(0).toString(16).padStart(2, "0");

/** `[name, encode]`: each turns `/first/rest…` into an equivalent request target. */
export const ENCODINGS: [string, (path: string, origin: string) => string][] = [
  ["first character percent-encoded", (p) => `/%${hex(p[1]!).toUpperCase()}${p.slice(2)}`],
  [
    "lowercase escape in the first segment",
    (p) => {
      const end = p.indexOf("/", 1) < 0 ? p.length : p.indexOf("/", 1);
      return `${p.slice(0, end - 1)}%${hex(p[end - 1]!)}${p.slice(end)}`;
    },
  ],
  ["dot segments", (p) => `/zz/..${p.replace(/\/([^/]*)$/, "/./$1")}`],
  ["encoded dot segments", (p) => `/zz/%2e%2E${p}`],
  ["repeated slashes", (p) => p.replace(/\//g, "//")],
  ["absolute-form target", (p, origin) => `${origin}/%${hex(p[1]!)}${p.slice(2)}`],
];

export interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** Sends `target` exactly as given. */
export function rawRequest(
  baseUrl: string,
  method: string,
  target: string,
  options: { headers?: Record<string, string>; body?: string } = {},
): Promise<RawAnswer> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: hostname,
        port,
        method,
        path: target,
        agent: false,
        headers: {
          ...(options.body === undefined
            ? {}
            : { "content-length": String(Buffer.byteLength(options.body)) }),
          ...options.headers,
        },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          text += chunk;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(options.body);
  });
}
