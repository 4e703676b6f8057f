/**
 * One HTTP attempt over undici: sends, reads the whole body, and turns failures into the typed
 * network / timeout / abort errors of SPEC §10. No retries, no auth, no pacing here.
 */
import { EventEmitter } from "node:events";
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
 * The per-attempt timeout as an EventEmitter signal, which undici's `request` accepts (`signal:
 * AbortSignal | EventEmitter`): far cheaper than an AbortController on every attempt (bench B3).
 */
class TimeoutSignal extends EventEmitter {
  aborted = false;

  fire(): void {
    this.aborted = true;
    this.emit("abort");
  }
}

export function createTransport(dispatcher: Dispatcher): Transport {
  return async (req) => {
    if (req.signal?.aborted) throw new AbortError(`${req.method} ${pathOf(req.url)} was aborted`);
    let timedOut = false;
    let signal: AbortSignal | TimeoutSignal;
    let timer: NodeJS.Timeout;
    if (req.signal) {
      const timeout = new AbortController();
      timer = setTimeout(() => {
        timedOut = true;
        timeout.abort();
      }, req.timeoutMs);
      signal = AbortSignal.any([req.signal, timeout.signal]);
    } else {
      const timeout = new TimeoutSignal();
      timer = setTimeout(() => {
        timedOut = true;
        timeout.fire();
      }, req.timeoutMs);
      signal = timeout;
    }
    try {
      const res = await request(req.url, {
        method: req.method as Dispatcher.HttpMethod,
        headers: req.headers,
        body: req.body,
        dispatcher,
        signal,
      });
      const text = await res.body.text();
      return { status: res.statusCode, headers: flattenHeaders(res.headers), text };
    } catch (error) {
      const where = `${req.method} ${pathOf(req.url)}`;
      if (req.signal?.aborted) throw new AbortError(`${where} was aborted`, { cause: error });
      if (timedOut)
        throw new TimeoutError(`${where} got no answer within ${req.timeoutMs} ms`, { cause: error });
      throw new NetworkError(`${where} failed: ${describe(error)}`, { cause: error });
    } finally {
      clearTimeout(timer);
    }
  };
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
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
