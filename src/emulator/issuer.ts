/**
 * The OAuth issuer the emulator advertises (docs/emulator.md, "Public URL and discovery"). RFC 8414 §3.3
 * and OpenID Connect Discovery §4.3: the `issuer` in the metadata must equal the URL the client
 * discovered from, so a fixed bind address breaks clients that reach the server by another name.
 */
import { ValidationError } from "../errors.js";
import { isLoopbackHost } from "./loopback.js";

/** Why a public URL is refused, or undefined when it is a usable issuer (an http(s) origin). */
export function publicUrlProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "is not an absolute URL; give the scheme, host and port clients use, e.g. http://localhost:8787";
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    return `must use http or https, not ${url.protocol.replace(":", "")}`;
  if (url.username !== "" || url.password !== "") return "must not carry a user name or password";
  if (url.search !== "" || url.hash !== "") return "must not have a query or fragment";
  if (url.pathname !== "/")
    return "must be an origin without a path (scheme://host[:port]); the emulator serves its API at the root";
  return undefined;
}

/** The issuer form of a public URL (`https://cxda.example:8443`, no trailing slash); throws naming `field`. */
export function parsePublicUrl(value: string, field: string): string {
  const problem = publicUrlProblem(value);
  if (problem !== undefined)
    throw new ValidationError(`${field} ${JSON.stringify(value.slice(0, 200))} ${problem}`, {
      slug: "validation-failed",
    });
  return new URL(value).origin;
}

/** A bind on every interface: its address is not one a client can use. */
export function isWildcardHost(host: string): boolean {
  const bare = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  return bare === "0.0.0.0" || bare === "::" || bare === "0:0:0:0:0:0:0:0";
}

/** The issuer of `boundUrl` when no request is at hand: a wildcard bind reads as 127.0.0.1. */
export function defaultIssuer(host: string, port: number): string {
  const name = isWildcardHost(host) ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;
  return `http://${name}:${port}`;
}

/**
 * The issuer for one request: the public URL when configured; else `http://<Host>` when the request's
 * Host header names a loopback address (so `127.0.0.1`, `localhost` and `[::1]`, and a mapped port,
 * all discover consistently); else the bound address.
 */
export function issuerFor(options: {
  publicUrl: string | undefined;
  hostHeader: string | undefined;
  fallback: string;
}): string {
  if (options.publicUrl !== undefined) return options.publicUrl;
  const host = options.hostHeader;
  if (host !== undefined && /^[A-Za-z0-9.:[\]-]{1,300}$/.test(host)) {
    try {
      const url = new URL(`http://${host}`);
      if (url.pathname === "/" && url.username === "" && isLoopbackHost(url.hostname)) return url.origin;
    } catch {
      // not a host[:port]: fall back to the bound address
    }
  }
  return options.fallback;
}
