/** The request pipeline's public shapes, shared by the client and its resources. */

export type Query = Record<string, string | number | boolean | undefined>;

export interface RequestOptions {
  query?: Query;
  body?: unknown;
  headers?: Record<string, string>;
  /** POST: the key every retry reuses (default a random UUID). `false` sends none: the POST is then never retried. */
  idempotencyKey?: string | false;
  /** Sent as `If-Match: "<version>"`; makes a PATCH retryable. */
  ifMatch?: number;
  signal?: AbortSignal;
  contentType?: string;
  /** `text`: the body is the response text as received, not parsed (e.g. NDJSON). Default `json`. */
  responseType?: "json" | "text";
}

export interface ApiResponse<T> {
  status: number;
  body: T;
  /** Lower-case names. */
  headers: Record<string, string>;
  requestId?: string;
  /** From the `ETag` header. */
  version?: number;
  attempts: number;
  latencyMs: number;
  replayed: boolean;
  idempotencyKey?: string;
}

export interface Page<T> {
  entities: T[];
  page: number;
  pageSize: number;
  total: number;
}

/** What a resource needs of the client: one request, or every page of a list. */
export interface Requester {
  /** `path` is relative to /api/v2, e.g. "/dataactions". */
  request<T = unknown>(method: string, path: string, options?: RequestOptions): Promise<ApiResponse<T>>;
  paginate<T>(path: string, query?: Query, options?: { pageSize?: number }): AsyncIterable<T>;
}
