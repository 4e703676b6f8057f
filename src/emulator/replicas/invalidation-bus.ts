/**
 * Cache invalidation between replicas, over PostgreSQL `LISTEN`/`NOTIFY` on one channel.
 *
 * A replica publishes after its transaction committed (never from inside one: a rollback would have
 * told the others to drop values that did not change, harmless, but a notification sent before the
 * commit could be acted on before the new value is visible). Every replica, the sender too, hears
 * every message; a replica ignores its own (its caches were updated by the write itself).
 *
 * The listening connection is one dedicated client. When it breaks (the database restarted, the
 * connection was terminated) the replica may have missed messages, so on reconnecting it tells its
 * subscribers to drop everything (`{ kind: "all" }`), then listens again. Messages are JSON, well
 * under PostgreSQL's 8 000-byte payload limit (ids and tenant ids only, never a value).
 */
import pg from "pg";

export const INVALIDATION_CHANNEL = "cxda_invalidate";

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

interface Envelope {
  from: string;
  message: Invalidation;
}

const RECONNECT_MIN_MS = 100;
const RECONNECT_MAX_MS = 5_000;

export class InvalidationBus {
  private readonly handlers = new Set<InvalidationHandler>();
  private listener: pg.Client | undefined;
  private closed = false;
  private reconnectDelay = RECONNECT_MIN_MS;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private connected: Promise<void>;

  private constructor(
    private readonly pool: pg.Pool,
    private readonly connectionString: string,
    readonly replicaId: string,
  ) {
    this.connected = this.listen();
  }

  /** Listens on the channel (the first connection must succeed; later ones are retried). */
  static async open(pool: pg.Pool, connectionString: string, replicaId: string): Promise<InvalidationBus> {
    const bus = new InvalidationBus(pool, connectionString, replicaId);
    await bus.connected;
    return bus;
  }

  subscribe(handler: InvalidationHandler): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  /** Tells the other replicas; call after the commit. A failure is reported, never thrown at the writer. */
  async publish(...messages: Invalidation[]): Promise<void> {
    if (messages.length === 0 || this.closed) return;
    const payloads = messages.map((message) =>
      JSON.stringify({ from: this.replicaId, message } satisfies Envelope),
    );
    try {
      if (payloads.length === 1)
        await this.pool.query("SELECT pg_notify($1, $2)", [INVALIDATION_CHANNEL, payloads[0]]);
      else
        await this.pool.query("SELECT pg_notify($1, p) FROM unnest($2::text[]) AS p", [
          INVALIDATION_CHANNEL,
          payloads,
        ]);
    } catch {
      // The database is away: the write itself could not commit either, or the listeners reconnect
      // and drop everything when it is back.
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    const client = this.listener;
    this.listener = undefined;
    await client?.end().catch(() => {});
  }

  private async listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.connectionString, connectionTimeoutMillis: 5_000 });
    client.on("notification", (note) => {
      if (note.channel !== INVALIDATION_CHANNEL || note.payload === undefined) return;
      let envelope: Envelope;
      try {
        envelope = JSON.parse(note.payload) as Envelope;
      } catch {
        return;
      }
      if (envelope.from !== this.replicaId) this.deliver(envelope.message);
    });
    client.on("error", () => this.lost(client));
    client.on("end", () => this.lost(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${INVALIDATION_CHANNEL}`);
    } catch (error) {
      await client.end().catch(() => {});
      throw error;
    }
    if (this.closed) {
      await client.end().catch(() => {});
      return;
    }
    this.listener = client;
    this.reconnectDelay = RECONNECT_MIN_MS;
  }

  private lost(client: pg.Client): void {
    if (this.listener !== client) return;
    this.listener = undefined;
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
      this.listen().then(
        // Messages sent between the loss and this LISTEN were missed too.
        () => this.deliver({ kind: "all" }),
        () => this.scheduleReconnect(),
      );
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
