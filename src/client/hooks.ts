/** Calls user hooks with redacted info; a throwing hook never breaks a request. */
import type { Redactor } from "../audit/redactor.js";
import type { ClientHooks, ErrorInfo, RequestInfo, ResponseInfo, RetryInfo } from "./types.js";

export class HookCaller {
  constructor(
    private readonly hooks: ClientHooks | undefined,
    private readonly redactor: Redactor,
  ) {}

  request(info: RequestInfo): void {
    // Redacting costs a pass over the headers on every attempt: only when someone listens (bench B3).
    if (!this.hooks?.onRequest) return;
    this.call(this.hooks.onRequest, { ...info, headers: this.redactor.redactHeaders(info.headers) });
  }

  response(info: ResponseInfo): void {
    this.call(this.hooks?.onResponse, info);
  }

  retry(info: RetryInfo): void {
    this.call(this.hooks?.onRetry, info);
  }

  error(info: ErrorInfo): void {
    this.call(this.hooks?.onError, info);
  }

  private call<T>(hook: ((info: T) => void) | undefined, info: T): void {
    if (!hook) return;
    try {
      hook(this.redactor.redact(info));
    } catch {
      // Hooks observe; their failures are theirs and never change the outcome of a request.
    }
  }
}
