/**
 * The request log behind `GET /_emulator/requests`: oldest first. It keeps the newest
 * `capacity` entries (default 10 000, so a long-running emulator's memory stays bounded) and says how
 * many older ones it let go; test suites that audit every request raise the capacity.
 *
 * Entries are kept in columns (typed arrays, and arrays of strings that repeat: method, path, client)
 * in a ring, and become objects again only when listed: an object per request kept alive for 10 000
 * requests was promoted out of the young generation every time, about 15 % of the emulator's CPU per
 * GET (bench B4, 7 interleaved pairs). A request id in the form of a UUID is kept as four 32-bit words.
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

const FAULTS = [undefined, "status", "drop", "reset", "delay"] as const;
/** Flag bits of an entry; bits 4 and up hold the fault's index in FAULTS (0 = none). */
const FAULTED = 1;
const HAS_RETRY_AFTER = 2;
const HAS_REPLAYED = 4;
const REPLAYED = 8;
const FAULT_SHIFT = 4;
/** Distinct paths kept as one string each (the log holds that one); past this many, the table starts over. */
const INTERNED_PATHS = 4_096;

/** The columns of `length` entries. */
class Columns {
  readonly timestamp: Float64Array;
  /** NaN for null. */
  readonly status: Float64Array;
  readonly retryAfter: Float64Array;
  readonly flags: Uint8Array;
  /** A UUID request id as four words (eight hex digits each); see `idText`. */
  readonly id: Uint32Array;
  readonly idText: (string | undefined)[];
  readonly method: string[];
  readonly path: string[];
  readonly clientId: (string | null)[];
  readonly idempotencyKey: (string | null)[];
  readonly ifMatch: (string | undefined)[];

  constructor(readonly length: number) {
    this.timestamp = new Float64Array(length);
    this.status = new Float64Array(length);
    this.retryAfter = new Float64Array(length);
    this.flags = new Uint8Array(length);
    this.id = new Uint32Array(length * 4);
    this.idText = new Array(length).fill(undefined);
    this.method = new Array(length).fill("");
    this.path = new Array(length).fill("");
    this.clientId = new Array(length).fill(null);
    this.idempotencyKey = new Array(length).fill(null);
    this.ifMatch = new Array(length).fill(undefined);
  }

  /** A copy holding the first `count` entries, `length` long. */
  grown(length: number, count: number): Columns {
    const next = new Columns(length);
    next.timestamp.set(this.timestamp.subarray(0, count));
    next.status.set(this.status.subarray(0, count));
    next.retryAfter.set(this.retryAfter.subarray(0, count));
    next.flags.set(this.flags.subarray(0, count));
    next.id.set(this.id.subarray(0, count * 4));
    for (let i = 0; i < count; i += 1) {
      next.idText[i] = this.idText[i];
      next.method[i] = this.method[i]!;
      next.path[i] = this.path[i]!;
      next.clientId[i] = this.clientId[i]!;
      next.idempotencyKey[i] = this.idempotencyKey[i]!;
      next.ifMatch[i] = this.ifMatch[i];
    }
    return next;
  }
}

/** The value of each lower-case hex digit by its character code; -1 for any other character below 128. */
const HEX_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i += 1) HEX_VALUE["0123456789abcdef".charCodeAt(i)] = i;

const UUID_DASHES = [8, 13, 18, 23];

/** `acc` followed by the hex digits of `text` from `from` to `to`, or -1 when one is not a lower-case hex digit. */
function hexRun(text: string, from: number, to: number, acc: number): number {
  let value = acc;
  for (let i = from; i < to && value >= 0; i += 1) {
    const code = text.charCodeAt(i);
    const digit = code < 128 ? HEX_VALUE[code]! : -1;
    value = digit < 0 ? -1 : value * 16 + digit;
  }
  return value;
}

/**
 * Writes a lower-case UUID (`8-4-4-4-12` hex digits) as four words at `at`; false when `text` is not one.
 * Word by word through a table of digits: RequestLog.add 340 → 250 ns in a loop (bench B4).
 */
function packUuid(text: string, words: Uint32Array, at: number): boolean {
  if (text.length !== 36) return false;
  for (const dash of UUID_DASHES) if (text.charCodeAt(dash) !== 45 /* - */) return false;
  const first = hexRun(text, 0, 8, 0);
  const second = hexRun(text, 14, 18, hexRun(text, 9, 13, 0));
  const third = hexRun(text, 24, 28, hexRun(text, 19, 23, 0));
  const fourth = hexRun(text, 28, 36, 0);
  if (first < 0 || second < 0 || third < 0 || fourth < 0) return false;
  words[at] = first;
  words[at + 1] = second;
  words[at + 2] = third;
  words[at + 3] = fourth;
  return true;
}

function unpackUuid(words: Uint32Array, at: number): string {
  const hex =
    words[at]!.toString(16).padStart(8, "0") +
    words[at + 1]!.toString(16).padStart(8, "0") +
    words[at + 2]!.toString(16).padStart(8, "0") +
    words[at + 3]!.toString(16).padStart(8, "0");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export class RequestLog {
  private columns: Columns;
  /** Entries held (at most `capacity`). */
  private size = 0;
  /** Where the oldest entry is, once the ring is full (0 before). */
  private start = 0;
  private seq = 0;
  private paths = new Map<string, string>();
  /** The path of the last entry: a repeated path is found by comparing, without hashing (bench B4). */
  private lastPath = "";

  constructor(private readonly capacity = DEFAULT_REQUEST_LOG_CAPACITY) {
    this.columns = new Columns(Math.min(capacity, 1024));
  }

  add(entry: Omit<RequestLogEntry, "seq">): void {
    this.seq += 1;
    let at: number;
    if (this.size < this.capacity) {
      if (this.size === this.columns.length)
        this.columns = this.columns.grown(Math.min(this.capacity, this.size * 2), this.size);
      at = this.size;
      this.size += 1;
    } else {
      at = this.start;
      this.start = this.start + 1 === this.capacity ? 0 : this.start + 1;
    }
    const c = this.columns;
    c.timestamp[at] = entry.timestamp;
    c.status[at] = entry.status === null ? Number.NaN : entry.status;
    c.method[at] = entry.method;
    c.path[at] = this.intern(entry.path);
    c.clientId[at] = entry.clientId;
    c.idempotencyKey[at] = entry.idempotencyKey;
    c.ifMatch[at] = entry.ifMatch;
    let flags = entry.faulted ? FAULTED : 0;
    if (entry.fault !== undefined) flags |= FAULTS.indexOf(entry.fault) << FAULT_SHIFT;
    if (entry.retryAfter !== undefined) {
      flags |= HAS_RETRY_AFTER;
      c.retryAfter[at] = entry.retryAfter;
    }
    if (entry.replayed !== undefined) flags |= HAS_REPLAYED | (entry.replayed ? REPLAYED : 0);
    c.flags[at] = flags;
    c.idText[at] = packUuid(entry.requestId, c.id, at * 4) ? undefined : entry.requestId;
  }

  list(): RequestLogEntry[] {
    const out: RequestLogEntry[] = [];
    const c = this.columns;
    for (let i = 0; i < this.size; i += 1) {
      const at = (this.start + i) % c.length;
      const flags = c.flags[at]!;
      const status = c.status[at]!;
      const entry: RequestLogEntry = {
        seq: this.seq - this.size + 1 + i,
        timestamp: c.timestamp[at]!,
        method: c.method[at]!,
        path: c.path[at]!,
        status: Number.isNaN(status) ? null : status,
        clientId: c.clientId[at]!,
        idempotencyKey: c.idempotencyKey[at]!,
        faulted: (flags & FAULTED) !== 0,
      } as RequestLogEntry;
      const fault = FAULTS[flags >> FAULT_SHIFT];
      if (fault !== undefined) entry.fault = fault;
      if (flags & HAS_RETRY_AFTER) entry.retryAfter = c.retryAfter[at]!;
      const ifMatch = c.ifMatch[at];
      if (ifMatch !== undefined) entry.ifMatch = ifMatch;
      if (flags & HAS_REPLAYED) entry.replayed = (flags & REPLAYED) !== 0;
      entry.requestId = c.idText[at] ?? unpackUuid(c.id, at * 4);
      out.push(entry);
    }
    return out;
  }

  /** How many entries were let go to stay within the capacity (their `seq` numbers are missing). */
  dropped(): number {
    return this.seq - this.size;
  }

  /** Empties the log; numbering starts again at 1. */
  clear(): void {
    this.columns = new Columns(Math.min(this.capacity, 1024));
    this.size = 0;
    this.start = 0;
    this.seq = 0;
    this.paths.clear();
    this.lastPath = "";
  }

  /** One string per distinct path, so the log does not keep each request's own copy alive. */
  private intern(path: string): string {
    if (path === this.lastPath) return this.lastPath;
    this.lastPath = this.internNew(path);
    return this.lastPath;
  }

  private internNew(path: string): string {
    const known = this.paths.get(path);
    if (known !== undefined) return known;
    if (this.paths.size >= INTERNED_PATHS) this.paths.clear();
    this.paths.set(path, path);
    return path;
  }
}
