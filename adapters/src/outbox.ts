import type { OutgoingEvent } from './jetstream.js';
import type { Logger } from './logger.js';

/** Events stored in the same write as the state change that raised them, waiting to be published. */
export interface OutboxStore {
  pending(limit: number): Promise<OutgoingEvent[]>;
  markPublished(events: OutgoingEvent[]): Promise<void>;
}

export interface Publisher {
  publish(event: OutgoingEvent): Promise<void>;
}

/**
 * Publishes outbox events until none is left, then waits for `wake()` or the next poll.
 * If NATS is down the events stay pending and go out once it is back; JetStream's
 * de-duplication (message id = event id) absorbs a publish repeated after a crash.
 */
export class OutboxRelay {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private failures = 0;

  constructor(
    private readonly store: OutboxStore,
    private readonly publisher: Publisher,
    private readonly logger: Logger,
    private readonly pollIntervalMs = 1_000,
  ) {}

  start(): void {
    this.schedule(0);
  }

  /** Call after committing new events, to publish them without waiting for the poll. */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.drain().finally(() => {
        this.running = undefined;
      });
    }, delayMs);
  }

  private async drain(): Promise<void> {
    try {
      for (;;) {
        this.again = false;
        const batch = await this.store.pending(100);
        if (batch.length === 0) break;
        const published: OutgoingEvent[] = [];
        try {
          for (const event of batch) {
            await this.publisher.publish(event);
            published.push(event);
          }
        } finally {
          if (published.length > 0) await this.store.markPublished(published);
        }
        if (this.stopped) return;
      }
      if (this.failures > 0) this.logger.info({ afterFailures: this.failures }, 'outbox relay caught up');
      this.failures = 0;
      this.schedule(this.again ? 0 : this.pollIntervalMs);
    } catch (error) {
      this.failures++;
      const delay = Math.min(5_000, 250 * 2 ** Math.min(this.failures, 5));
      if (this.failures === 1 || this.failures % 10 === 0) {
        this.logger.warn(
          { err: error instanceof Error ? error.message : String(error), failures: this.failures },
          'outbox relay cannot publish yet; events stay pending',
        );
      }
      this.schedule(delay);
    }
  }
}
