/**
 * The methods each registered path answers, so a request with another method on a known path gets
 * 405 with `Allow` (RFC 9110 §15.5.6) instead of 404. Routes are collected by fastify's `onRoute` hook.
 */
import type { FastifyInstance } from "fastify";

interface KnownPath {
  pattern: RegExp;
  methods: Set<string>;
}

export class AllowedMethods {
  private readonly paths = new Map<string, KnownPath>();

  /** Registers the hook; call before the routes are added. */
  collect(app: FastifyInstance): void {
    app.addHook("onRoute", (route) => {
      let known = this.paths.get(route.url);
      if (!known) {
        known = { pattern: patternOf(route.url), methods: new Set() };
        this.paths.set(route.url, known);
      }
      for (const method of [route.method].flat()) known.methods.add(method);
      if (known.methods.has("GET")) known.methods.add("HEAD");
    });
  }

  /** The methods some route answers on `path` (sorted), or [] when no route has this path. */
  of(path: string): string[] {
    const methods = new Set<string>();
    for (const known of this.paths.values())
      if (known.pattern.test(path)) for (const method of known.methods) methods.add(method);
    return [...methods].sort();
  }
}

/** `/a/:id/b` → /^\/a\/[^/]+\/b$/ (fastify's `:param` is one non-empty segment). */
function patternOf(url: string): RegExp {
  const source = url
    .split("/")
    .map((segment) => (segment.startsWith(":") ? "[^/]+" : segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
    .join("/");
  return new RegExp(`^${source}$`);
}
