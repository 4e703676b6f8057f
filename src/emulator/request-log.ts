/**
 * The request log behind `GET /_emulator/requests`: oldest first. It keeps the newest
 * `capacity` entries (default 10 000, so a long-running emulator's memory stays bounded) and says how
 * many older ones it let go; test suites that audit every request raise the capacity.
 */
export interface RequestLogEntry {
  seq: number;
  timestamp: number;
  method: string;
  path: string;
  /** The status sent, or that would have been sent for a `drop`; null for a `reset`. */
  status: number | null;
  clientId: string | null;
  idempotencyKey: string | null;
  faulted: boolean;
  /** Which fault touched the request, when one did. */
  fault?: "status" | "drop" | "reset" | "delay";
  /** Seconds, on 429 and injected Retry-After answers. */
  retryAfter?: number;
  ifMatch?: string;
  /** True when an Idempotency-Key replayed a stored answer instead of handling the request. */
  replayed?: boolean;
  requestId: string;
}

export const DEFAULT_REQUEST_LOG_CAPACITY = 10_000;

export class RequestLog {
  private entries: RequestLogEntry[] = [];
  private seq = 0;

  constructor(private readonly capacity = DEFAULT_REQUEST_LOG_CAPACITY) {}

  add(entry: Omit<RequestLogEntry, "seq">): void {
    this.seq += 1;
    this.entries.push({ seq: this.seq, ...entry });
    // Trimmed in batches: a splice per request moved the whole log on every request once full (bench B4).
    if (this.entries.length >= this.capacity * 2) this.entries = this.entries.slice(-this.capacity);
  }

  list(): RequestLogEntry[] {
    return this.entries.slice(-this.capacity);
  }

  /** How many entries were let go to stay within the capacity (their `seq` numbers are missing). */
  dropped(): number {
    return Math.max(0, this.seq - Math.min(this.entries.length, this.capacity));
  }

  /** Empties the log; numbering starts again at 1. */
  clear(): void {
    this.entries = [];
    this.seq = 0;
  }
}
