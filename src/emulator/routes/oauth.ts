/**
 * OAuth 2.0: discovery, `POST /oauth2/token` and `POST /oauth2/revoke` (RFC 7009). Errors follow
 * RFC 6749 §5.2: 400 `{error, error_description}`, and 401 `invalid_client` with
 * `WWW-Authenticate: Basic`.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { ALL_SCOPES, type ClientConfig, type TenantConfig } from "../config.js";
import type { EmulatorContext } from "../context.js";

export const TOKEN_PATH = "/oauth2/token";
export const REVOCATION_PATH = "/oauth2/revoke";
export const DISCOVERY_PATH = "/.well-known/openid-configuration";
/** RFC 8414 §3: the authorization server metadata of an issuer without a path. */
export const OAUTH_METADATA_PATH = "/.well-known/oauth-authorization-server";

/**
 * RFC 8414 authorization server metadata. The emulator is an OAuth 2.0 authorization server for the
 * client credentials and password grants; it is not an OpenID Provider (no ID tokens, no user login,
 * no JWKS), so it publishes no OpenID-only fields. The same document answers at the OpenID discovery
 * path because the SDK and other clients of the real API look there (docs/emulator.md).
 */
export function authorizationServerMetadata(issuer: string): Record<string, unknown> {
  return {
    issuer,
    token_endpoint: `${issuer}${TOKEN_PATH}`,
    grant_types_supported: ["client_credentials", "password"],
    token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
    revocation_endpoint: `${issuer}${REVOCATION_PATH}`,
    revocation_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
    scopes_supported: [...ALL_SCOPES],
    // REQUIRED by RFC 8414 §2; empty: there is no authorization endpoint, so no response type is served.
    response_types_supported: [],
  };
}

export class OAuthError extends Error {
  constructor(
    readonly error: string,
    description: string,
    readonly status = 400,
    readonly headers: Record<string, string> = {},
  ) {
    super(description);
  }
}

export function sendOAuthError(reply: FastifyReply, error: OAuthError): FastifyReply {
  reply
    .code(error.status)
    .header("cache-control", "no-store")
    .header("content-type", "application/json; charset=utf-8");
  if (error.status === 401) reply.header("www-authenticate", 'Basic realm="cxda"');
  for (const [name, value] of Object.entries(error.headers)) reply.header(name, value);
  return reply.send(JSON.stringify({ error: error.error, error_description: error.message }));
}

/** RFC 6749 §2.3.1: id and secret are form-urlencoded before Base64. */
function basicCredentials(header: string | undefined): { id: string; secret: string } | undefined {
  if (header === undefined) return undefined;
  const match = /^Basic +([A-Za-z0-9+/]+=*) *$/i.exec(header);
  if (!match)
    throw new OAuthError("invalid_client", "The Authorization header is not valid HTTP Basic.", 401);
  const decoded = Buffer.from(match[1]!, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0)
    throw new OAuthError("invalid_client", "HTTP Basic credentials need the form id:secret.", 401);
  const formDecode = (s: string) => {
    try {
      return decodeURIComponent(s.replace(/\+/g, " "));
    } catch {
      return s;
    }
  };
  return { id: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) };
}

/** The client id a token request claims (Basic or body), read without failing, for the guessing guard. */
function claimedClientId(request: FastifyRequest): string | undefined {
  try {
    const basic = basicCredentials(request.headers.authorization);
    if (basic) return basic.id;
  } catch {
    return undefined;
  }
  if (typeof request.body !== "string") return undefined;
  return new URLSearchParams(request.body).get("client_id") ?? undefined;
}

function formOf(request: FastifyRequest, what: string): Map<string, string> {
  const type = request.headers["content-type"]?.split(";")[0]?.trim().toLowerCase();
  if (type !== "application/x-www-form-urlencoded" || typeof request.body !== "string")
    throw new OAuthError("invalid_request", `Send the ${what} as application/x-www-form-urlencoded.`);
  const form = new Map<string, string>();
  for (const [key, value] of new URLSearchParams(request.body)) {
    // RFC 6749 §3.2: a parameter sent without a value is treated as omitted; none may be repeated.
    if (value === "") continue;
    if (form.has(key))
      throw new OAuthError("invalid_request", `The parameter ${key} is given more than once.`);
    form.set(key, value);
  }
  return form;
}

/**
 * The client of a token or revocation request, authenticated by HTTP Basic or by client_id and
 * client_secret in the form (not both), behind the token guard (a rate per client and address, and
 * lockouts after failed secrets). `validate` checks the request's own parameters first.
 */
async function authenticatedClient(
  request: FastifyRequest,
  ctx: EmulatorContext,
  what: string,
  validate: (form: Map<string, string>, basic: boolean) => void,
): Promise<{ form: Map<string, string>; found: { tenant: TenantConfig; client: ClientConfig } }> {
  const admitted = await ctx.tokenGuard.admit(claimedClientId(request), request.ip);
  if (!admitted.allowed)
    throw new OAuthError(
      "slow_down",
      `${what[0]!.toUpperCase()}${what.slice(1)} refused: ${admitted.reason}; retry after ${admitted.retryAfterSeconds} s. Repeated failures lock a client or an address for at most ${ctx.tokenGuard.policy.maxLockoutSeconds} s; check the client id and secret.`,
      429,
      { "retry-after": String(admitted.retryAfterSeconds) },
    );
  const form = formOf(request, what);
  const basic = basicCredentials(request.headers.authorization);
  validate(form, basic !== undefined);
  const bodyId = form.get("client_id");
  const bodySecret = form.get("client_secret");
  if (
    basic &&
    (bodyId !== undefined || bodySecret !== undefined) &&
    (bodySecret !== undefined || bodyId !== basic.id)
  )
    throw new OAuthError(
      "invalid_request",
      "Authenticate the client by one method only: HTTP Basic or client_id/client_secret in the body.",
    );
  const credentials = basic ?? (bodyId !== undefined ? { id: bodyId, secret: bodySecret ?? "" } : undefined);
  if (!credentials)
    throw new OAuthError(
      "invalid_client",
      "Client authentication is missing: use HTTP Basic or client_id and client_secret.",
      401,
    );
  const found = ctx.tokens.authenticateClient(credentials.id, credentials.secret);
  if (!found) {
    ctx.tokenGuard.failed(credentials.id, request.ip);
    throw new OAuthError(
      "invalid_client",
      "Client authentication failed: unknown client or wrong secret.",
      401,
    );
  }
  return { form, found };
}

export function registerOAuthRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  for (const path of [OAUTH_METADATA_PATH, DISCOVERY_PATH])
    app.get(path, async (request, reply) =>
      reply
        // The issuer follows the Host header unless a public URL is set: caches must key on it.
        .header("cache-control", "public, max-age=60")
        .header("vary", "host")
        .send(authorizationServerMetadata(ctx.issuer(request.headers.host))),
    );

  app.post(TOKEN_PATH, async (request, reply) => {
    try {
      const { form, found } = await authenticatedClient(request, ctx, "token request", (form, basic) => {
        const grant = form.get("grant_type");
        if (!grant)
          throw new OAuthError("invalid_request", "grant_type is required (client_credentials or password).");
        if (grant !== "client_credentials" && grant !== "password")
          throw new OAuthError(
            "unsupported_grant_type",
            `grant_type ${JSON.stringify(grant.slice(0, 40))} is not supported; use client_credentials or password.`,
          );
        if (grant === "password" && !basic)
          throw new OAuthError(
            "invalid_client",
            "The password grant needs the client authenticated by HTTP Basic.",
            401,
          );
      });
      const grant = form.get("grant_type");
      if (grant === "password") {
        const username = form.get("username");
        const password = form.get("password");
        if (!username || password === undefined)
          throw new OAuthError(
            "invalid_request",
            "The password grant needs username (access key id) and password (access key secret).",
          );
        if (!ctx.tokens.checkAccessKey(found.tenant, found.client.id, username, password)) {
          ctx.tokenGuard.failed(found.client.id, request.ip);
          throw new OAuthError(
            "invalid_grant",
            "The access key is unknown, does not belong to this client, or its secret is wrong.",
          );
        }
      }

      const granted: string[] = found.client.scopes;
      const asked = form.get("scope");
      let scopes = granted;
      if (asked !== undefined && asked.trim() !== "") {
        scopes = [...new Set(asked.trim().split(/ +/))];
        const refused = scopes.filter((s) => !granted.includes(s));
        if (refused.length > 0)
          throw new OAuthError(
            "invalid_scope",
            `Scope ${refused.map((s) => s.slice(0, 40)).join(", ")} is unknown or not granted to this client; granted: ${granted.join(" ")}.`,
          );
      }
      ctx.tokenGuard.succeeded(found.client.id);
      const { token, expiresIn } = ctx.tokens.issue({
        tenantId: found.tenant.id,
        clientId: found.client.id,
        scopes,
      });
      request.emu.clientId = found.client.id;
      request.emu.tenantId = found.tenant.id;
      return reply
        .header("cache-control", "no-store")
        .header("pragma", "no-cache")
        .send({ access_token: token, token_type: "Bearer", expires_in: expiresIn, scope: scopes.join(" ") });
    } catch (error) {
      if (error instanceof OAuthError) return sendOAuthError(reply, error);
      throw error;
    }
  });

  // RFC 7009: 200 whether or not the token was live (§2.2: the client cannot act on "already gone");
  // a token issued to another client is refused. Once answered, no replica accepts the token.
  app.post(REVOCATION_PATH, async (request, reply) => {
    try {
      const { form, found } = await authenticatedClient(request, ctx, "revocation request", (form) => {
        if (!form.get("token"))
          throw new OAuthError("invalid_request", "token is required: the access token to revoke.");
        const hint = form.get("token_type_hint");
        if (hint !== undefined && hint !== "access_token")
          throw new OAuthError(
            "unsupported_token_type",
            `token_type_hint ${JSON.stringify(hint.slice(0, 40))} is not supported; this server issues access tokens only.`,
          );
      });
      request.emu.clientId = found.client.id;
      request.emu.tenantId = found.tenant.id;
      const outcome = ctx.tokens.revoke(form.get("token")!, found.client.id);
      if (outcome === "other-client")
        throw new OAuthError(
          "unauthorized_client",
          "The token was issued to another client; it is not revoked.",
        );
      if (outcome === "revoked") await ctx.writesAnnounced?.();
      return reply.header("cache-control", "no-store").send();
    } catch (error) {
      if (error instanceof OAuthError) return sendOAuthError(reply, error);
      throw error;
    }
  });
}
