/**
 * The API's own description: `GET /openapi.json` (OpenAPI 3.1, built from the zod schemas) and
 * `GET /docs`, a reference page rendered in the browser by Scalar's standalone bundle, served from
 * node_modules so it works offline. Both load their modules on the first request only, so the
 * emulator starts as fast as without them.
 */
import { createReadStream } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { FastifyInstance } from "fastify";
import { DOCS_PATH, DOCS_SCRIPT_PATH, OPENAPI_PATH } from "../openapi/paths.js";
import { ProblemError } from "../problem.js";

/** Scalar's configuration: no web fonts from its CDN, nothing fetched but this server's document. */
const REFERENCE_CONFIG = JSON.stringify({
  url: OPENAPI_PATH,
  withDefaultFonts: false,
  hideClientButton: false,
});

const DOCS_HTML = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>cxda Data Actions API reference</title>
  </head>
  <body>
    <noscript>This page needs JavaScript; the document itself is at <a href="${OPENAPI_PATH}">${OPENAPI_PATH}</a>.</noscript>
    <script id="api-reference" data-url="${OPENAPI_PATH}" data-configuration='${REFERENCE_CONFIG}'></script>
    <script src="${DOCS_SCRIPT_PATH}"></script>
  </body>
</html>
`;

/** Everything the page loads comes from this server (the renderer must not reach the internet). */
const DOCS_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'";

function referenceScriptPath(): string {
  const entry = createRequire(import.meta.url).resolve("@scalar/api-reference");
  return join(dirname(entry), "browser", "standalone.js");
}

export function registerOpenApiRoutes(app: FastifyInstance): void {
  let document: Promise<string> | undefined;

  app.get(OPENAPI_PATH, async (_request, reply) => {
    document ??= import("../openapi/document.js").then((m) => m.openApiJson());
    return reply
      .header("content-type", "application/json; charset=utf-8")
      .header("cache-control", "no-cache")
      .send(await document);
  });

  app.get(DOCS_PATH, async (_request, reply) =>
    reply
      .header("content-type", "text/html; charset=utf-8")
      .header("content-security-policy", DOCS_CSP)
      .header("cache-control", "no-cache")
      .send(DOCS_HTML),
  );

  app.get(DOCS_SCRIPT_PATH, async (_request, reply) => {
    let path: string;
    try {
      path = referenceScriptPath();
    } catch {
      throw new ProblemError(
        "not-found",
        "The API reference renderer (@scalar/api-reference) is not installed; reinstall cxda, or read /openapi.json.",
      );
    }
    return reply
      .header("content-type", "text/javascript; charset=utf-8")
      .header("cache-control", "public, max-age=3600")
      .send(createReadStream(path));
  });
}
