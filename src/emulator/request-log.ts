/** The request log behind `GET /_emulator/requests` (SPEC §7): oldest first, bounded in size. */
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
  requestId: string;
}

export class RequestLog {
  private entries: RequestLogEntry[] = [];
  private seq = 0;

  constructor(private readonly capacity = 10_000) {}

  add(entry: Omit<RequestLogEntry, "seq">): void {
    this.seq += 1;
    this.entries.push({ seq: this.seq, ...entry });
    // Trimmed in batches: a splice per request moved the whole log on every request once full (bench B4).
    if (this.entries.length >= this.capacity * 2) this.entries = this.entries.slice(-this.capacity);
  }

  list(): RequestLogEntry[] {
    return this.entries.slice(-this.capacity);
  }

  /** Empties the log; numbering starts again at 1. */
  clear(): void {
    this.entries = [];
    this.seq = 0;
  }
}
