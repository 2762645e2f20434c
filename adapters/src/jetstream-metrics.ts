import type { JetStreamManager, NatsConnection } from 'nats';
import { DEAD_LETTER_STREAM, deadLetterSubject } from './jetstream.js';
import type { Metrics } from './metrics.js';

interface Observed {
  stream: string;
  durable: string;
}

const READ_TIMEOUT_MS = 1_500;

/**
 * A durable consumer's state on the server, read from JetStream when /metrics is scraped:
 * `jetstream_consumer_pending_messages` (not delivered yet), `jetstream_consumer_ack_pending_messages`
 * (delivered, not acknowledged), `jetstream_consumer_redelivered_messages` (delivered more than once
 * and not acknowledged yet) and `dead_letter_messages` (this consumer's letters in the dead-letter
 * stream), labelled by stream and consumer. Every replica reads the same durable: aggregate with max().
 */
export function observeConsumer(connection: NatsConnection, consumer: Observed, metrics: Metrics): void {
  let observer = observers.get(metrics);
  if (!observer) {
    observer = new ConsumerObserver(connection, metrics);
    observers.set(metrics, observer);
  }
  observer.add(consumer);
}

const observers = new WeakMap<Metrics, ConsumerObserver>();

class ConsumerObserver {
  private readonly consumers: Observed[] = [];
  private manager: Promise<JetStreamManager> | undefined;
  private reading: Promise<void> | undefined;
  private readonly pending;
  private readonly ackPending;
  private readonly redelivered;
  private readonly deadLetters;

  constructor(
    private readonly connection: NatsConnection,
    metrics: Metrics,
  ) {
    const labels = ['stream', 'consumer'] as const;
    this.pending = metrics.gauge('jetstream_consumer_pending_messages', 'Messages of the stream not yet delivered to the consumer', labels);
    this.ackPending = metrics.gauge(
      'jetstream_consumer_ack_pending_messages',
      'Messages delivered to the consumer and not acknowledged yet',
      labels,
    );
    this.redelivered = metrics.gauge(
      'jetstream_consumer_redelivered_messages',
      'Messages delivered to the consumer more than once and not acknowledged yet',
      labels,
    );
    this.deadLetters = metrics.gauge('dead_letter_messages', 'Messages of the consumer in the dead-letter stream, waiting to be replayed', [
      'consumer',
    ]);
    metrics.onScrape(() => (this.reading ??= this.read().finally(() => (this.reading = undefined))));
  }

  add(consumer: Observed): void {
    if (!this.consumers.some((known) => known.stream === consumer.stream && known.durable === consumer.durable))
      this.consumers.push(consumer);
  }

  private async read(): Promise<void> {
    this.manager ??= this.connection.jetstreamManager({ timeout: READ_TIMEOUT_MS, checkAPI: false });
    const manager = await this.manager;
    await Promise.allSettled([
      ...this.consumers.map(async ({ stream, durable }) => {
        const info = await manager.consumers.info(stream, durable);
        const labels = { stream, consumer: durable };
        this.pending.set(labels, info.num_pending);
        this.ackPending.set(labels, info.num_ack_pending);
        this.redelivered.set(labels, info.num_redelivered);
      }),
      (async () => {
        const { state } = await manager.streams.info(DEAD_LETTER_STREAM, { subjects_filter: deadLetterSubject('*') });
        for (const { durable } of this.consumers)
          this.deadLetters.set({ consumer: durable }, state.subjects?.[deadLetterSubject(durable)] ?? 0);
      })(),
    ]);
  }
}
