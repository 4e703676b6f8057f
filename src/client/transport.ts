/**
 * One HTTP attempt over undici: sends, reads the whole body, and turns failures into the typed
 * network / timeout / abort errors. No retries, no auth, no pacing here.
 */
import { type Dispatcher, request } from "undici";
import { AbortError, NetworkError, TimeoutError } from "../errors.js";

export interface RawRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface RawResponse {
  status: number;
  /** Lower-case names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  text: string;
}

export type Transport = (req: RawRequest) => Promise<RawResponse>;

/**
 * The per-attempt timeout is undici's own `headersTimeout` (no answer head in time) and `bodyTimeout`
 * (the body stalls that long): its timers are cheaper than a setTimeout and a signal per attempt
 * (bench B3). A caller's AbortSignal still ends the attempt at once.
 */
const TIMEOUT_CODES = new Set(["UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT", "UND_ERR_CONNECT_TIMEOUT"]);

export function createTransport(dispatcher: Dispatcher): Transport {
  return async (req) => {
    if (req.signal?.aborted) throw new AbortError(`${req.method} ${pathOf(req.url)} was aborted`);
    try {
      const res = await request(req.url, {
        method: req.method as Dispatcher.HttpMethod,
        headers: req.headers,
        body: req.body,
        dispatcher,
        headersTimeout: req.timeoutMs,
        bodyTimeout: req.timeoutMs,
        ...(req.signal ? { signal: req.signal } : {}),
      });
      const text = await res.body.text();
      return { status: res.statusCode, headers: flattenHeaders(res.headers), text };
    } catch (error) {
      const where = `${req.method} ${pathOf(req.url)}`;
      if (req.signal?.aborted) throw new AbortError(`${where} was aborted`, { cause: error });
      if (TIMEOUT_CODES.has((error as { code?: unknown }).code as string))
        throw new TimeoutError(`${where} got no answer within ${req.timeoutMs} ms`, { cause: error });
      throw new NetworkError(`${where} failed: ${describe(error)}`, { cause: error });
    }
  };
}

/**
 * undici's own object, its names already lower-case, made flat in place: repeated headers joined, no
 * copy per response (bench B3).
 */
function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  for (const name in headers) {
    const value = headers[name];
    if (typeof value === "string") continue;
    if (value === undefined) delete headers[name];
    else headers[name] = value.join(", ");
  }
  return headers as Record<string, string>;
}

function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return url;
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === "string" ? `${code} ${error.message}` : error.message;
  }
  return String(error);
}
