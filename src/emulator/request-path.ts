/**
 * The one request path every guard and the router agree on. Fastify's router percent-decodes the path
 * before it matches a route, so a guard that tested the raw `request.url` could be walked around with
 * `/%5Femulator/reset` or `/%61pi/v2/…`. The emulator rewrites each request target to its normal form
 * before routing (fastify `rewriteUrl`), and the guards, the fault rules, the rate limiter and the
 * router all read that one form:
 * - the absolute form `http://host/path` becomes its path (RFC 9112 §3.2.2);
 * - percent-encoded unreserved characters are decoded (RFC 3986 §6.2.2.2: `%5F` → `_`, `%72` → `r`);
 *   other escapes stay as they are, so `%2F` never becomes a segment separator;
 * - repeated slashes collapse into one;
 * - `.` and `..` segments are removed (RFC 3986 §5.2.4), never climbing above the root.
 * The query is left untouched.
 */

const UNRESERVED = /^[A-Za-z0-9\-._~]$/;
/** Anything the slow path would change: an escape, `//`, a dot segment, or a target not starting with '/'. */
const NEEDS_WORK = /%|\/\/|\/\.(?:\.)?(?:\/|$|[?#])/;

function decodeUnreserved(path: string): string {
  return path.replace(/%([0-9A-Fa-f]{2})/g, (encoded, hex: string) => {
    const char = String.fromCharCode(Number.parseInt(hex, 16));
    return UNRESERVED.test(char) ? char : encoded;
  });
}

/** RFC 3986 §5.2.4 on a path without empty segments. */
function removeDotSegments(path: string): string {
  const out: string[] = [];
  const segments = path.split("/").slice(1);
  let trailingSlash = path.endsWith("/");
  for (const [i, segment] of segments.entries()) {
    const last = i === segments.length - 1;
    if (segment === ".") {
      if (last) trailingSlash = true;
    } else if (segment === "..") {
      out.pop();
      if (last) trailingSlash = true;
    } else if (segment !== "" || !last) out.push(segment);
  }
  if (out.length === 0) return "/";
  return `/${out.join("/")}${trailingSlash ? "/" : ""}`;
}

/** The path the router matches, from a request target; never throws. */
export function normaliseRequestTarget(target: string): string {
  let url = target;
  if (url.charCodeAt(0) !== 47 /* '/' */) {
    const absolute = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/.exec(url);
    if (!absolute) return url; // `*` and garbage: the router answers them, no guard applies
    url = url.slice(absolute[0].length);
    if (url === "" || url[0] === "?" || url[0] === "#") url = `/${url}`;
  } else if (!NEEDS_WORK.test(url)) return url;
  const end = url.search(/[?#]/);
  const path = end < 0 ? url : url.slice(0, end);
  const rest = end < 0 ? "" : url.slice(end);
  return `${removeDotSegments(decodeUnreserved(path).replace(/\/{2,}/g, "/"))}${rest}`;
}

/** The path part of a (normalised) request target. */
export function pathOf(url: string): string {
  const end = url.search(/[?#]/);
  return end < 0 ? url : url.slice(0, end);
}

/** `path` is `prefix` itself or below it. */
export function isUnder(path: string, prefix: string): boolean {
  return path === prefix || (path.startsWith(prefix) && path.charCodeAt(prefix.length) === 47);
}
