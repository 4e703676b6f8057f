/** Writes an `ApiResponse` to a fastify reply, and reads a request's JSON body. */
import type { FastifyReply, FastifyRequest } from "fastify";
import { type ApiResponse, ProblemError } from "./problem.js";

export function send(reply: FastifyReply, response: ApiResponse): FastifyReply {
  reply.code(response.status);
  const headers = response.headers;
  if (headers !== undefined) for (const name in headers) reply.header(name, headers[name]);
  if (response.status === 204) return reply.send();
  const text =
    response.bytes ??
    response.rawJson ??
    (response.body === undefined ? undefined : JSON.stringify(response.body));
  if (text === undefined) return reply.send();
  if (!reply.hasHeader("content-type")) reply.header("content-type", "application/json; charset=utf-8");
  return reply.send(text);
}

function mediaTypeOf(request: FastifyRequest): string | undefined {
  const raw = request.headers["content-type"];
  return raw?.split(";")[0]?.trim().toLowerCase() || undefined;
}

/**
 * The parsed JSON body of a write. `application/json` always; `application/merge-patch+json` only
 * when `mergePatch` (PATCH, RFC 7396). Anything else → 415; no body → 400.
 */
export function jsonBody(request: FastifyRequest, options: { mergePatch?: boolean } = {}): unknown {
  const type = mediaTypeOf(request);
  const allowed = options.mergePatch
    ? ["application/json", "application/merge-patch+json"]
    : ["application/json"];
  if (type === undefined && request.body === undefined)
    throw new ProblemError(
      "validation-failed",
      `This request needs a JSON body (Content-Type: ${allowed[0]}).`,
      {
        issues: [
          {
            path: "",
            code: "validation-failed",
            message: "the request body is missing; send a JSON document",
          },
        ],
      },
    );
  if (type === undefined || !allowed.includes(type))
    throw new ProblemError(
      "unsupported-media-type",
      `Content-Type ${type ?? "(none)"} is not accepted here; send ${allowed.join(" or ")}.`,
    );
  return request.body;
}
