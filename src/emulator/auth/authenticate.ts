/**
 * `authenticate(request, scope)`: the one check every /api/v2 route calls first.
 * Missing/expired/unknown token → 401 with `WWW-Authenticate: Bearer error="invalid_token"`;
 * missing scope → 403 `insufficient-scope`.
 */
import type { FastifyRequest } from "fastify";
import { ProblemError } from "../problem.js";
import type { Principal, TokenService } from "./token-service.js";

export type ApiScope = "dataactions:read" | "dataactions:write" | "dataactions:delete" | "dataactions:admin";

/** Test runs that see decrypted secrets (docs/script-runtime.md); never required, only looked at. */
export const EXECUTE_SCOPE = "dataactions:execute";

/** Scopes (docs/api.md, Scopes): GET needs read, POST/PUT/PATCH write, DELETE delete. */
export function scopeForMethod(method: string): ApiScope {
  switch (method.toUpperCase()) {
    case "GET":
    case "HEAD":
      return "dataactions:read";
    case "DELETE":
      return "dataactions:delete";
    default:
      return "dataactions:write";
  }
}

/** The bearer token of an `Authorization` header, or undefined. */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(header ?? "");
  return match?.[1];
}

/** Resolves (once) the request's principal from its bearer token; null when absent or invalid. */
export function resolvePrincipal(request: FastifyRequest, tokens: TokenService): Principal | null {
  if (request.emu.principal === undefined) {
    const token = bearerToken(request.headers.authorization);
    request.emu.principal = token === undefined ? null : (tokens.verify(token) ?? null);
  }
  return request.emu.principal;
}

export function makeAuthenticate(tokens: TokenService) {
  return function authenticate(
    request: FastifyRequest,
    scope: ApiScope = scopeForMethod(request.method),
  ): Principal {
    const principal = resolvePrincipal(request, tokens);
    if (principal === null) {
      const had = request.headers.authorization !== undefined;
      throw new ProblemError(
        "unauthorized",
        had
          ? "The access token is missing, malformed, expired or unknown; get a new one from /oauth2/token."
          : "No access token; send Authorization: Bearer <token> from /oauth2/token.",
        { headers: { "www-authenticate": 'Bearer realm="cxda", error="invalid_token"' } },
      );
    }
    if (!principal.scopes.includes(scope))
      throw new ProblemError(
        "insufficient-scope",
        `This request needs the scope ${scope}, which the token does not carry; ask for it at /oauth2/token (granted to the client in the emulator config).`,
        {
          headers: {
            "www-authenticate": `Bearer realm="cxda", error="insufficient_scope", scope="${scope}"`,
          },
        },
      );
    return principal;
  };
}

export type Authenticate = ReturnType<typeof makeAuthenticate>;
