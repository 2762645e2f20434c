import type { KV, NatsConnection } from 'nats';
import type { Logger } from './logger.js';

export interface LeaseOptions {
  /** The KV bucket holding leases (its entries expire after `ttlMs`). */
  bucket: string;
  /** What the lease is for; one holder per name across all replicas. */
  name: string;
  /** Who holds it: this replica. */
  holder: string;
  /** A holder that stops renewing loses the lease after this long. */
  ttlMs: number;
  replicas?: number;
}

/**
 * A lease in NATS KV: at most one replica holds it at a time (create and compare-and-set on the
 * revision are atomic in JetStream), renewed every third of its time to live; if the holder
 * stops, the entry expires and another replica takes it. For periodic work that should run once
 * per cluster, not once per replica; the work itself must stay safe to run twice, since a holder
 * paused longer than the TTL may still finish a round after losing the lease.
 */
export class Lease {
  private revision = 0;
  private held = false;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  private constructor(
    private readonly kv: KV,
    private readonly options: LeaseOptions,
    private readonly logger: Logger,
  ) {}

  static async open(connection: NatsConnection, options: LeaseOptions, logger: Logger): Promise<Lease> {
    const kv = await connection.jetstream().views.kv(options.bucket, { history: 1, ttl: options.ttlMs, replicas: options.replicas ?? 1 });
    const lease = new Lease(kv, options, logger);
    await lease.renew();
    lease.schedule();
    return lease;
  }

  isHeld(): boolean {
    return this.held;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    if (this.held) await this.kv.delete(this.options.name, { previousSeq: this.revision }).catch(() => {});
    this.held = false;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(
      () => {
        void this.renew().finally(() => this.schedule());
      },
      Math.max(50, Math.floor(this.options.ttlMs / 3)),
    );
  }

  private async renew(): Promise<void> {
    const before = this.held;
    try {
      const value = new TextEncoder().encode(this.options.holder);
      this.revision = this.held
        ? await this.kv.update(this.options.name, value, this.revision)
        : await this.kv.create(this.options.name, value);
      this.held = true;
    } catch {
      // Another replica holds it (or NATS is unreachable): not ours until it expires.
      this.held = false;
    }
    if (before !== this.held) {
      this.logger.info({ lease: this.options.name, holder: this.options.holder }, this.held ? 'lease taken' : 'lease lost');
    }
  }
}
