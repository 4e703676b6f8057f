/**
 * Cache invalidation between replicas, over PostgreSQL `LISTEN`/`NOTIFY` on one channel.
 *
 * A replica publishes after its transaction committed (never from inside one: a rollback would have
 * told the others to drop values that did not change, harmless, but a notification sent before the
 * commit could be acted on before the new value is visible). Every replica, the sender too, hears
 * every message; a replica ignores its own (its caches were updated by the write itself).
 *
 * No replica serves a value another replica's acknowledged write made stale. Two mechanisms:
 * - **Acknowledgements.** A replica that acted on an announcement says so on the channel (an `ack`
 *   sent from its listening connection). `publish` resolves once every replica listening on the
 *   database when the announcement committed has acknowledged it (their listening connections are
 *   found in `pg_stat_activity` by their application name), or after `ACK_TIMEOUT_MS`; the write is
 *   acknowledged to its client only then.
 * - **Being current.** A replica trusts what it keeps in memory (`current`) only while its listening
 *   connection is up and has heard back its own heartbeat, sent every `PING_INTERVAL_MS`, within
 *   `CURRENT_FOR_MS`. PostgreSQL delivers notifications in commit order, so hearing a heartbeat means
 *   every announcement committed before it was sent has been acted on. A replica too slow to
 *   acknowledge within `ACK_TIMEOUT_MS` (> `CURRENT_FOR_MS`) has therefore stopped trusting its caches
 *   by the time the writer gives up waiting for it, and reads from the database until it catches up.
 *
 * The listening connection is one dedicated client. When it breaks (the database restarted, the
 * connection was terminated) the replica may have missed messages: it is not current, and on
 * reconnecting it tells its subscribers to drop everything (`{ kind: "all" }`), then listens again.
 * Messages are JSON, well under PostgreSQL's 8 000-byte payload limit (ids and tenant ids only, never
 * a value).
 */
import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import pg from "pg";

export const INVALIDATION_CHANNEL = "cxda_invalidate";
/** The application name of every replica's listening connection (how a writer finds who must acknowledge). */
export const LISTENER_APPLICATION_NAME = "cxda invalidation listener";

/** How often a replica sends itself a heartbeat through the channel. */
const PING_INTERVAL_MS = 250;
/** How long after sending a heartbeat it heard back a replica trusts its caches. */
const CURRENT_FOR_MS = 1_000;
/** How long a writer waits for the other replicas' acknowledgements; must exceed CURRENT_FOR_MS. */
export const ACK_TIMEOUT_MS = 2_000;
/** Largest payload of one notification (PostgreSQL's limit is 8 000 bytes). */
const MAX_PAYLOAD = 7_000;

export type Invalidation =
  /** An action changed or went (its cached read by id). */
  | { kind: "action"; tenantId: string; id: string }
  /** Anything of a tenant changed: its lists, pages and revision; every cached action of the tenant. */
  | { kind: "tenant"; tenantId: string }
  /** A tenant's keys changed (a rotation: a new active data key). */
  | { kind: "keys"; tenantId: string }
  /** Verified tokens may no longer be valid. */
  | { kind: "tokens" }
  /** Everything (a reset, or messages possibly missed while the listener was disconnected). */
  | { kind: "all" };

export type InvalidationHandler = (message: Invalidation) => void;

/** What travels on the channel. `from` is the sending bus (a replica id and a per-process nonce). */
type Envelope =
  /** Announcements, to be acknowledged with `id`. */
  | { from: string; id: string; messages: Invalidation[] }
  /** The sender acted on announcement `ack`. */
  | { from: string; ack: string }
  /** A heartbeat, sent at `ping` (the sender's performance.now()). */
  | { from: string; ping: number };

/** What `publish` found: the listening connections it waited for and those that did not answer in time. */
export interface Publication {
  awaited: number;
  unacknowledged: number;
}

interface AckWait {
  acked: Set<number>;
  expected: number[] | undefined;
  done: () => void;
}

const RECONNECT_MIN_MS = 100;
const RECONNECT_MAX_MS = 5_000;

export class InvalidationBus {
  private readonly handlers = new Set<InvalidationHandler>();
  private readonly from: string;
  private listener: pg.Client | undefined;
  /** The backend pid of the listening connection (what others' acknowledgements are counted by). */
  private listenerPid = 0;
  private closed = false;
  private reconnectDelay = RECONNECT_MIN_MS;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private readonly pingTimer: NodeJS.Timeout;
  private connected: Promise<void>;
  /** performance.now() until which caches are trusted. */
  private currentUntil = 0;
  private sequence = 0;
  private readonly waits = new Map<string, AckWait>();
  /**
   * Notifications waiting to be acted on, in the order heard: only while a lag is set or deliveries are
   * held (the test hooks' stand-ins for a slow listening connection), or until those queued before them went.
   */
  private readonly delayed: { note: pg.Notification; at: number }[] = [];
  private lagMs = 0;
  private holding = false;
  private pumpTimer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly connectionString: string,
    readonly replicaId: string,
  ) {
    this.from = `${replicaId}/${randomBytes(4).toString("hex")}`;
    this.connected = this.listen();
    this.pingTimer = setInterval(() => this.ping(), PING_INTERVAL_MS);
    this.pingTimer.unref();
  }

  /** Listens on the channel (the first connection must succeed; later ones are retried). */
  static async open(pool: pg.Pool, connectionString: string, replicaId: string): Promise<InvalidationBus> {
    const bus = new InvalidationBus(pool, connectionString, replicaId);
    try {
      await bus.connected;
    } catch (error) {
      await bus.close();
      throw error;
    }
    return bus;
  }

  /**
   * Whether this replica has acted on every announcement of a write that another replica may already
   * have acknowledged to its client: while false, what is kept in memory must not be served.
   */
  get current(): boolean {
    return this.listener !== undefined && performance.now() < this.currentUntil;
  }

  subscribe(handler: InvalidationHandler): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  /**
   * Tells the other replicas, and resolves once each has acted on it (or after ACK_TIMEOUT_MS); call
   * after the commit. A failure is reported, never thrown at the writer.
   */
  async publish(...messages: Invalidation[]): Promise<Publication> {
    const none = { awaited: 0, unacknowledged: 0 };
    if (messages.length === 0 || this.closed) return none;
    const { payloads, lastId } = this.envelopes(messages);
    const wait = this.awaitAcks(lastId);
    try {
      await this.pool.query(
        "SELECT pg_notify($1, p) FROM unnest($2::text[]) WITH ORDINALITY AS t(p, n) ORDER BY n",
        [INVALIDATION_CHANNEL, payloads],
      );
      // Every replica listening now heard the announcement (or listened only after it, and so keeps
      // nothing older): those are the ones to wait for.
      const { rows } = await this.pool.query<{ pid: number }>(
        `SELECT pid FROM pg_stat_activity
          WHERE datname = current_database() AND application_name = $1 AND pid <> $2`,
        [LISTENER_APPLICATION_NAME, this.listenerPid],
      );
      return await wait.until(rows.map((r) => r.pid));
    } catch {
      // The database is away: the write itself could not commit either, or the listeners reconnect
      // and drop everything when it is back (and are not current meanwhile).
      wait.cancel();
      return none;
    }
  }

  /**
   * Tests only: holds back every notification this replica hears (announcements and its own
   * heartbeats) until the returned function is called, as a listening connection that lags would.
   */
  holdDeliveries(): () => void {
    this.holding = true;
    return () => {
      this.holding = false;
      this.pump();
    };
  }

  /**
   * Acts on every notification `ms` after hearing it (0: at once again), as a listening connection that
   * lags would: `PUT /_emulator/invalidation-lag`. Order is kept.
   */
  lagDeliveries(ms: number): void {
    this.lagMs = ms;
    this.pump();
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    clearInterval(this.pingTimer);
    clearTimeout(this.pumpTimer);
    for (const wait of this.waits.values()) wait.done();
    const client = this.listener;
    this.listener = undefined;
    await client?.end().catch(() => {});
  }

  /**
   * The messages as envelopes of at most MAX_PAYLOAD bytes each, each with its own id, and the id of
   * the last (the one whose acknowledgements the writer waits for: notifications arrive in order).
   */
  private envelopes(messages: Invalidation[]): { payloads: string[]; lastId: string } {
    const payloads: string[] = [];
    let lastId = "";
    let batch: Invalidation[] = [];
    const seal = () => {
      if (batch.length === 0) return;
      const id = `${this.from}:${++this.sequence}`;
      lastId = id;
      payloads.push(JSON.stringify({ from: this.from, id, messages: batch } satisfies Envelope));
      batch = [];
    };
    let size = 0;
    for (const message of messages) {
      const length = JSON.stringify(message).length + 1;
      if (batch.length > 0 && size + length > MAX_PAYLOAD - 100) {
        seal();
        size = 0;
      }
      batch.push(message);
      size += length;
    }
    seal();
    return { payloads, lastId };
  }

  private awaitAcks(id: string): {
    until(expected: number[]): Promise<Publication>;
    cancel(): void;
  } {
    let resolve!: () => void;
    const settled = new Promise<void>((r) => {
      resolve = r;
    });
    const wait: AckWait = {
      acked: new Set(),
      expected: undefined,
      done: () => {
        this.waits.delete(id);
        resolve();
      },
    };
    this.waits.set(id, wait);
    return {
      until: async (expected) => {
        wait.expected = expected;
        if (expected.every((pid) => wait.acked.has(pid))) wait.done();
        const timer = setTimeout(wait.done, ACK_TIMEOUT_MS);
        await settled;
        clearTimeout(timer);
        return {
          awaited: expected.length,
          unacknowledged: expected.filter((pid) => !wait.acked.has(pid)).length,
        };
      },
      cancel: wait.done,
    };
  }

  private ping(): void {
    const listener = this.listener;
    if (listener === undefined) return;
    const envelope: Envelope = { from: this.from, ping: performance.now() };
    listener
      .query("SELECT pg_notify($1, $2)", [INVALIDATION_CHANNEL, JSON.stringify(envelope)])
      .catch(() => {});
  }

  private onNotification(note: pg.Notification): void {
    if (note.channel !== INVALIDATION_CHANNEL || note.payload === undefined) return;
    if (this.holding || this.lagMs > 0 || this.delayed.length > 0) {
      this.delayed.push({ note, at: performance.now() + this.lagMs });
      this.pump();
      return;
    }
    this.act(note);
  }

  /** Acts on the delayed notifications that are due, oldest first, and waits for the next one. */
  private pump(): void {
    clearTimeout(this.pumpTimer);
    if (this.holding) return;
    while (this.delayed.length > 0 && this.delayed[0]!.at <= performance.now())
      this.act(this.delayed.shift()!.note);
    const next = this.delayed[0];
    if (next === undefined || this.closed) return;
    this.pumpTimer = setTimeout(() => this.pump(), Math.max(1, next.at - performance.now()));
    this.pumpTimer.unref();
  }

  private act(note: pg.Notification): void {
    let envelope: Envelope;
    try {
      envelope = JSON.parse(note.payload ?? "") as Envelope;
    } catch {
      return;
    }
    if ("ping" in envelope) {
      if (envelope.from === this.from && note.processId === this.listenerPid)
        this.currentUntil = Math.max(this.currentUntil, envelope.ping + CURRENT_FOR_MS);
      return;
    }
    if ("ack" in envelope) {
      const wait = this.waits.get(envelope.ack);
      if (wait === undefined) return;
      wait.acked.add(note.processId);
      if (wait.expected?.every((pid) => wait.acked.has(pid))) wait.done();
      return;
    }
    if (envelope.from === this.from) return;
    for (const message of envelope.messages) this.deliver(message);
    const ack: Envelope = { from: this.from, ack: envelope.id };
    this.listener
      ?.query("SELECT pg_notify($1, $2)", [INVALIDATION_CHANNEL, JSON.stringify(ack)])
      .catch(() => {});
  }

  /** `again`: a reconnection, after which subscribers drop everything (messages may have been missed). */
  private async listen(again = false): Promise<void> {
    const client = new pg.Client({
      connectionString: this.connectionString,
      connectionTimeoutMillis: 5_000,
      application_name: LISTENER_APPLICATION_NAME,
    });
    client.on("notification", (note) => this.onNotification(note));
    client.on("error", () => this.lost(client));
    client.on("end", () => this.lost(client));
    let pid: number;
    try {
      await client.connect();
      await client.query(`LISTEN ${INVALIDATION_CHANNEL}`);
      pid = (await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]!.pid;
    } catch (error) {
      await client.end().catch(() => {});
      throw error;
    }
    if (this.closed) {
      await client.end().catch(() => {});
      return;
    }
    // Messages sent between the loss and this LISTEN were missed: drop everything before trusting again.
    if (again) this.deliver({ kind: "all" });
    this.listener = client;
    this.listenerPid = pid;
    // Listening from now on: nothing announced later is missed.
    this.currentUntil = performance.now() + CURRENT_FOR_MS;
    this.reconnectDelay = RECONNECT_MIN_MS;
  }

  private lost(client: pg.Client): void {
    if (this.listener !== client) return;
    this.listener = undefined;
    this.currentUntil = 0;
    client.end().catch(() => {});
    if (this.closed) return;
    // Whatever was published while nobody listened is unknown: drop everything.
    this.deliver({ kind: "all" });
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closed) return;
    const delay = this.reconnectDelay;
    this.reconnectDelay = Math.min(RECONNECT_MAX_MS, delay * 2);
    this.reconnectTimer = setTimeout(() => {
      this.listen(true).catch(() => this.scheduleReconnect());
    }, delay);
    this.reconnectTimer.unref();
  }

  private deliver(message: Invalidation): void {
    for (const handler of this.handlers) {
      try {
        handler(message);
      } catch {
        // One subscriber's failure must not keep the message from the others.
      }
    }
  }
}
