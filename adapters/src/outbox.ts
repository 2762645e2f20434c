import type { OutgoingEvent } from './jetstream.js';
import type { Logger } from './logger.js';
import { currentTraceparent } from './tracing.js';

/** Events committed together with one state change, under the key the store marks them published by. */
export interface OutboxItem {
  key: string;
  events: OutgoingEvent[];
}

/** Events stored in the same write as the state change that raised them, waiting to be published. */
export interface OutboxStore {
  /** Items committed before `committedBefore` and not marked published yet, oldest first. */
  pending(limit: number, committedBefore: Date): Promise<OutboxItem[]>;
  markPublished(keys: string[]): Promise<void>;
}

/** Told of events once their transaction is committed (the relay's fast path). */
export interface CommittedEvents {
  committed(items: OutboxItem[]): void;
}

export interface Publisher {
  /** Resolves once the broker has stored the event; many calls may be in flight at once. */
  publish(event: OutgoingEvent): Promise<void>;
}

export interface OutboxRelayOptions {
  /** How often the store is swept for events the fast path did not publish. */
  sweepIntervalMs?: number;
  /** Only events committed at least this long ago are swept: younger ones are the fast path's. */
  sweepAfterMs?: number;
  batchSize?: number;
  /** With several replicas, only the holder sweeps (each replica still publishes its own commits). */
  sweepLease?: { isHeld(): boolean };
}

/**
 * Publishes outbox events. Each replica publishes what it has just committed straight away
 * (`committed`), pipelined, and marks it published; a periodic sweep publishes whatever is left
 * (a crash, NATS down, another replica's crash). JetStream's de-duplication (message id = event id)
 * absorbs an event published twice within its window.
 */
export class OutboxRelay implements CommittedEvents {
  private readonly queue: OutboxItem[] = [];
  private readonly inFlight = new Set<string>();
  private draining: Promise<void> | undefined;
  private sweeping: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private failures = 0;
  private readonly sweepIntervalMs: number;
  private readonly sweepAfterMs: number;
  private readonly batchSize: number;

  constructor(
    private readonly store: OutboxStore,
    private readonly publisher: Publisher,
    private readonly logger: Logger,
    private readonly options: OutboxRelayOptions = {},
  ) {
    this.sweepIntervalMs = options.sweepIntervalMs ?? 1_000;
    this.sweepAfterMs = options.sweepAfterMs ?? 5_000;
    this.batchSize = options.batchSize ?? 256;
  }

  start(): void {
    this.scheduleSweep(0);
  }

  /** Call once a state change and its events are committed. */
  committed(items: OutboxItem[]): void {
    if (this.stopped || items.length === 0) return;
    this.queue.push(...items);
    this.draining ??= this.drain().finally(() => (this.draining = undefined));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await Promise.all([this.draining, this.sweeping]);
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0 && !this.stopped) {
      const batch = this.queue.splice(0, this.batchSize);
      // Left pending when it fails: the sweep publishes it later.
      await this.publish(batch).catch((error: unknown) =>
        this.logger.debug({ err: errorText(error) }, 'outbox events not published yet; the sweep will retry'),
      );
    }
  }

  /** Publishes the items' events (pipelined) and marks those fully published. */
  private async publish(items: OutboxItem[]): Promise<void> {
    for (const item of items) this.inFlight.add(item.key);
    try {
      const outcomes = await Promise.allSettled(
        items.map(async (item) => {
          await Promise.all(item.events.map((event) => this.publisher.publish(event)));
          return item.key;
        }),
      );
      const published = outcomes.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
      if (published.length > 0) await this.store.markPublished(published);
      const failed = outcomes.find((outcome) => outcome.status === 'rejected');
      if (failed) throw failed.reason;
    } finally {
      for (const item of items) this.inFlight.delete(item.key);
    }
  }

  private scheduleSweep(delayMs: number): void {
    clearTimeout(this.timer);
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.sweeping = this.sweep().finally(() => (this.sweeping = undefined));
    }, delayMs);
  }

  private async sweep(): Promise<void> {
    try {
      if (this.options.sweepLease && !this.options.sweepLease.isHeld()) {
        this.scheduleSweep(this.sweepIntervalMs);
        return;
      }
      let swept = 0;
      for (;;) {
        const committedBefore = new Date(Date.now() - this.sweepAfterMs);
        const batch = (await this.store.pending(this.batchSize, committedBefore)).filter((item) => !this.inFlight.has(item.key));
        if (batch.length > 0) await this.publish(batch);
        swept += batch.length;
        if (batch.length < this.batchSize || this.stopped) break;
      }
      if (this.failures > 0) this.logger.info({ afterFailures: this.failures, swept }, 'outbox relay caught up');
      else if (swept > 0) this.logger.info({ swept }, 'outbox relay published events left behind');
      this.failures = 0;
      this.scheduleSweep(this.sweepIntervalMs);
    } catch (error) {
      this.failures++;
      if (this.failures === 1 || this.failures % 10 === 0) {
        this.logger.warn({ err: errorText(error), failures: this.failures }, 'outbox relay cannot publish yet; events stay pending');
      }
      this.scheduleSweep(Math.min(5_000, 250 * 2 ** Math.min(this.failures, 5)));
    }
  }
}

/** The event with the traceparent of the running span (unless it has one), to be stored and published with it. */
export function withTraceparent(event: OutgoingEvent): OutgoingEvent {
  if (event.traceparent) return event;
  const traceparent = currentTraceparent();
  return traceparent ? { ...event, traceparent } : event;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
