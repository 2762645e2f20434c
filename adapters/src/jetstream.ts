import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  RetentionPolicy,
  StorageType,
  headers as natsHeaders,
  nanos,
  type ConsumerMessages,
  type JetStreamClient,
  type JsMsg,
  type NatsConnection,
} from 'nats';
import { isDependencyOutage } from './errors.js';
import { withLogContext, type Logger } from './logger.js';
import type { Metrics } from './metrics.js';
import { Streams } from './streams.js';
import { consumerSpan, producerSpan } from './tracing.js';

/** Header names every event carries (besides JetStream's own Nats-Msg-Id = eventId). */
export const EventHeader = {
  type: 'Event-Type',
  id: 'Event-Id',
  orderId: 'Correlation-Id',
  causationId: 'Causation-Id',
} as const;

export interface StreamLimits {
  /** Replicas on a NATS cluster. */
  JETSTREAM_REPLICAS: number;
  /** Messages older than this are removed. */
  STREAM_MAX_AGE_MS: number;
}

/**
 * Creates the stream, or brings its subjects and limits up to date if this service owns it (a
 * service that only reads a stream creates it when missing, so it may start first, and never
 * changes it). File storage, 2 min dedup window.
 */
export async function ensureStream(
  connection: NatsConnection,
  stream: { name: string; subjects: readonly string[] },
  limits: StreamLimits,
  { owned = true }: { owned?: boolean } = {},
): Promise<void> {
  const manager = await connection.jetstreamManager();
  const config = {
    name: stream.name,
    subjects: [...stream.subjects],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
    duplicate_window: nanos(120_000),
    max_age: nanos(limits.STREAM_MAX_AGE_MS),
    num_replicas: limits.JETSTREAM_REPLICAS,
  };
  try {
    await manager.streams.info(stream.name);
    if (owned) await manager.streams.update(stream.name, config);
  } catch (error) {
    if (!String(error).includes('stream not found')) throw error;
    await manager.streams.add(config);
  }
}

export interface OutgoingEvent {
  eventId: string;
  eventType: string;
  subject: string;
  orderId: string;
  causationId?: string;
  /** The W3C traceparent of the call or event handling that raised it, stored with it in the outbox. */
  traceparent?: string;
  payload: Uint8Array;
}

/**
 * Publishes with Nats-Msg-Id = eventId, so JetStream drops a re-sent duplicate, and continues the
 * trace the event was raised in (a `traceparent` header of the publishing span).
 */
export class EventPublisher {
  constructor(private readonly js: JetStreamClient) {}

  async publish(event: OutgoingEvent): Promise<void> {
    const headers = natsHeaders();
    headers.set(EventHeader.type, event.eventType);
    headers.set(EventHeader.id, event.eventId);
    headers.set(EventHeader.orderId, event.orderId);
    if (event.causationId) headers.set(EventHeader.causationId, event.causationId);
    const span = producerSpan(`${event.subject} publish`, event.traceparent, {
      'messaging.system': 'nats',
      'messaging.operation.type': 'send',
      'messaging.destination.name': event.subject,
      'messaging.message.id': event.eventId,
    });
    for (const [name, value] of Object.entries(span.headers())) headers.set(name, value);
    try {
      await this.js.publish(event.subject, event.payload, { msgID: event.eventId, headers, timeout: 5_000 });
      span.end();
    } catch (error) {
      span.end(errorText(error));
      throw error;
    }
  }
}

export interface ReceivedEvent {
  subject: string;
  eventType: string;
  eventId: string;
  orderId: string;
  causationId?: string;
  payload: Uint8Array;
  /** 1 on first delivery. */
  deliveryCount: number;
}

/** Messages a consumer gave up on, kept with the reason, until replayed. */
export const DEAD_LETTER_STREAM = 'FOODDELIVERY_DEADLETTER';
export const DeadLetterHeader = {
  subject: 'Dead-Letter-Subject',
  consumer: 'Dead-Letter-Consumer',
  reason: 'Dead-Letter-Reason',
  deliveries: 'Dead-Letter-Deliveries',
} as const;

export function deadLetterSubject(durable: string): string {
  return `fooddelivery.deadletter.${durable}`;
}

export interface ConsumerOptions {
  stream: string;
  /** Durable name shared by all replicas of the consuming service: `<service>-<policy>`. */
  durable: string;
  filterSubjects: string[];
  handle(event: ReceivedEvent): Promise<void>;
  logger: Logger;
  ackWaitMs?: number;
  /** Redelivery delays; their count + 1 bounds the deliveries before an event is dead-lettered. */
  backoffMs?: number[];
  /** Events handled at once; events of one order are handled one after another, in order. */
  concurrency?: number;
  metrics?: Metrics;
  /** Fault injection for tests only: wait this long between the effect and the ack. */
  delayBeforeAckMs?: number;
  /** Limits of the streams this consumer may have to create (its source, the dead letters). */
  streamLimits: StreamLimits;
  /** Told when the consumer stops receiving (false) and when it receives again (true). */
  onHealth?(receiving: boolean): void;
}

/** What a service subscribes to: the part of a consumer its composition root decides. */
export type EventSubscription = Pick<ConsumerOptions, 'stream' | 'durable' | 'filterSubjects' | 'handle'>;

type Outcome = 'handled' | 'retried' | 'dead_lettered' | 'redelivered' | 'dead_letter_failed';

/**
 * A durable pull consumer with explicit acks: a handled event is acked, a failed one is
 * redelivered after the next backoff delay, up to a bounded number of deliveries, then moved to
 * the dead letters. A failure that says a dependency is down (a database outage) is not the
 * event's fault: it is redelivered, at the longest backoff, until the dependency is back. Supervised: if receiving stops for any reason other than `stop()`, it is set
 * up again with backoff, and `onHealth` reports the gap.
 */
export async function startConsumer(connection: NatsConnection, options: ConsumerOptions): Promise<{ stop(): Promise<void> }> {
  const backoffMs = options.backoffMs ?? [1_000, 5_000, 15_000, 30_000];
  await setUpConsumer(connection, options);
  const js = connection.jetstream();
  const outcomes = options.metrics?.counter('events_consumed_total', 'Events consumed, by consumer and outcome', ['consumer', 'outcome']);
  const count = (outcome: Outcome) => outcomes?.inc({ consumer: options.durable, outcome });
  const handling = options.metrics?.histogram('event_handling_seconds', 'Time a consumer took to handle an event, by event type', [
    'consumer',
    'event_type',
  ]);
  const handle = (event: ReceivedEvent) => {
    const stopTimer = handling?.startTimer({ consumer: options.durable, event_type: event.eventType });
    return options.handle(event).finally(() => stopTimer?.());
  };
  const lanes = new Lanes(options.concurrency ?? 16);
  let stopped = false;
  let messages: ConsumerMessages | undefined;

  const receive = async () => {
    for (let failures = 0; !stopped; ) {
      try {
        if (failures > 0) await setUpConsumer(connection, options);
        const consumer = await js.consumers.get(options.stream, options.durable);
        const current = await consumer.consume({ max_messages: 64 });
        messages = current;
        if (stopped) break;
        options.onHealth?.(true);
        failures = 0;
        void watchForLoss(current, options);
        for await (const message of messages) {
          await lanes.run(message.headers?.get(EventHeader.orderId) || String(message.seq), () =>
            inTrace(message, options, count, (counted) => handleMessage(message, { ...options, handle }, backoffMs, js, counted)),
          );
        }
        if (stopped) break;
        throw new Error('the message stream ended');
      } catch (error) {
        if (stopped) break;
        failures++;
        options.onHealth?.(false);
        const retryInMs = Math.min(10_000, 250 * 2 ** Math.min(failures, 6));
        options.logger.error(
          { err: errorText(error), consumer: options.durable, retryInMs },
          'consumer stopped receiving; starting it again',
        );
        await new Promise((resolve) => setTimeout(resolve, retryInMs));
      }
    }
  };
  const running = receive();
  return {
    async stop() {
      stopped = true;
      await messages?.close();
      await running;
      await lanes.idle();
    },
  };
}

/**
 * The client keeps waiting when its durable consumer or stream disappears (deleted by an
 * operator, lost with a JetStream node): end the message stream then, so the supervisor sets the
 * consumer up again.
 */
async function watchForLoss(messages: ConsumerMessages, options: ConsumerOptions): Promise<void> {
  for await (const status of await messages.status()) {
    if (['consumer_deleted', 'consumer_not_found', 'stream_not_found'].includes(status.type)) {
      options.logger.error({ consumer: options.durable, status: status.type }, 'the durable consumer is gone; setting it up again');
      await messages.close();
      return;
    }
  }
}

async function setUpConsumer(connection: NatsConnection, options: ConsumerOptions): Promise<void> {
  const source = Object.values(Streams).find((stream) => stream.name === options.stream);
  if (source) await ensureStream(connection, source, options.streamLimits, { owned: false });
  await ensureStream(connection, { name: DEAD_LETTER_STREAM, subjects: ['fooddelivery.deadletter.>'] }, options.streamLimits, {
    owned: false,
  });
  const manager = await connection.jetstreamManager();
  const consumerConfig = {
    durable_name: options.durable,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: nanos(options.ackWaitMs ?? 30_000),
    // Deliveries are bounded by handleMessage, which dead-letters after the last backoff step: a
    // server-side bound would drop a message whose dead-lettering failed instead of retrying it.
    max_deliver: -1,
    // Delays come from nak(delay) on failure; a consumer-level backoff would also shorten
    // the ack wait of a slow but healthy handler to its first step.
    filter_subjects: options.filterSubjects,
  };
  try {
    await manager.consumers.info(options.stream, options.durable);
    await manager.consumers.update(options.stream, options.durable, consumerConfig);
  } catch (error) {
    if (!String(error).includes('consumer not found')) throw error;
    await manager.consumers.add(options.stream, consumerConfig);
  }
}

/**
 * Runs tasks at most `limit` at a time, and tasks of the same key one after another in the
 * order they were given. `run` resolves once the task has started, so the caller can go on
 * receiving while it runs.
 */
export class Lanes {
  private running = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly tails = new Map<string, Promise<void>>();
  private readonly all = new Set<Promise<void>>();

  constructor(private readonly limit: number) {}

  async run(key: string, task: () => Promise<void>): Promise<void> {
    if (this.running >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running++;
    const previous = this.tails.get(key) ?? Promise.resolve();
    const done = previous
      .then(task)
      .catch(() => {})
      .finally(() => {
        this.running--;
        this.waiting.shift()?.();
        if (this.tails.get(key) === done) this.tails.delete(key);
        this.all.delete(done);
      });
    this.tails.set(key, done);
    this.all.add(done);
  }

  async idle(): Promise<void> {
    while (this.all.size > 0) await Promise.all([...this.all]);
  }
}

/**
 * Runs the handling of a message inside a consumer span that continues the trace of its headers
 * (`traceparent`), so its log lines carry that trace id. The span fails unless the event was handled.
 */
async function inTrace(
  message: JsMsg,
  options: ConsumerOptions,
  count: (outcome: Outcome) => void,
  handle: (count: (outcome: Outcome) => void) => Promise<void>,
): Promise<void> {
  const span = consumerSpan(`${message.subject} process`, (name) => message.headers?.get(name) || undefined, {
    'messaging.system': 'nats',
    'messaging.operation.type': 'process',
    'messaging.destination.name': message.subject,
    'messaging.consumer.group.name': options.durable,
    'messaging.message.delivery_count': message.info.redeliveryCount,
  });
  let failure: string | undefined;
  const counted = (outcome: Outcome) => {
    if (outcome !== 'handled' && outcome !== 'redelivered') failure = outcome;
    count(outcome);
  };
  try {
    await span.run(() => handle(counted));
  } finally {
    span.end(failure);
  }
}

/** Handles one delivery; never throws, so one bad message cannot end the consumer. */
async function handleMessage(
  message: JsMsg,
  options: ConsumerOptions,
  backoffMs: number[],
  js: JetStreamClient,
  count: (outcome: Outcome) => void,
): Promise<void> {
  const event: ReceivedEvent = {
    subject: message.subject,
    eventType: message.headers?.get(EventHeader.type) ?? message.subject,
    eventId: message.headers?.get(EventHeader.id) ?? `${options.stream}:${message.seq}`,
    orderId: message.headers?.get(EventHeader.orderId) ?? '',
    payload: message.data,
    deliveryCount: message.info.redeliveryCount,
  };
  const causationId = message.headers?.get(EventHeader.causationId);
  if (causationId) event.causationId = causationId;
  const context = { orderId: event.orderId, eventId: event.eventId, eventType: event.eventType, ...(causationId && { causationId }) };
  await withLogContext(context, async () => {
    if (event.deliveryCount > 1) {
      count('redelivered');
      options.logger.info({ deliveryCount: event.deliveryCount }, 'event redelivered');
    }
    try {
      await options.handle(event);
      if (options.delayBeforeAckMs) await new Promise((resolve) => setTimeout(resolve, options.delayBeforeAckMs));
      message.ack();
      count('handled');
      options.logger.debug({ consumer: options.durable }, 'event handled');
      return;
    } catch (error) {
      if (isDependencyOutage(error)) {
        // Not the event's fault: waited out however long it lasts, never dead-lettered.
        count('retried');
        const delay = backoffMs[Math.min(event.deliveryCount, backoffMs.length) - 1] ?? 1_000;
        options.logger.warn(
          { err: errorText(error), deliveryCount: event.deliveryCount, retryInMs: delay },
          'a dependency is unavailable; the event will be redelivered',
        );
        message.nak(delay);
        return;
      }
      if (event.deliveryCount <= backoffMs.length) {
        count('retried');
        const delay = backoffMs[event.deliveryCount - 1] ?? 1_000;
        options.logger.warn(
          { err: error, deliveryCount: event.deliveryCount, retryInMs: delay },
          'event handling failed; will be redelivered',
        );
        message.nak(delay);
        return;
      }
      try {
        await deadLetter(js, message, options.durable, error);
      } catch (deadLetterError) {
        // Kept, not lost: delivered again later, and dead-lettered once the dead-letter stream takes it.
        count('dead_letter_failed');
        const delay = backoffMs.at(-1) ?? 30_000;
        options.logger.error(
          { err: errorText(deadLetterError), handlingError: errorText(error), retryInMs: delay },
          'event handling failed for the last time and the dead-letter stream cannot take it; will try again',
        );
        message.nak(delay);
        return;
      }
      count('dead_lettered');
      options.logger.error(
        { err: error, deliveryCount: event.deliveryCount },
        'event handling failed for the last time; moved to the dead-letter stream',
      );
      message.term(errorText(error));
    }
  });
}

async function deadLetter(js: JetStreamClient, message: JsMsg, durable: string, error: unknown): Promise<void> {
  const headers = natsHeaders();
  for (const [key, values] of message.headers ?? []) for (const value of values) headers.append(key, value);
  headers.set(DeadLetterHeader.subject, message.subject);
  headers.set(DeadLetterHeader.consumer, durable);
  headers.set(DeadLetterHeader.reason, errorText(error).slice(0, 1_000));
  headers.set(DeadLetterHeader.deliveries, String(message.info.redeliveryCount));
  const eventId = message.headers?.get(EventHeader.id) || `${message.info.stream}:${message.seq}`;
  // Unique per delivery of a stream message: a replayed message that fails again is kept again.
  await js.publish(deadLetterSubject(durable), message.data, { headers, msgID: `${durable}:${eventId}:${message.info.streamSequence}` });
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Publishes dead letters back to the subject they came from (all of them, or those of one
 * consumer), then removes them from the dead-letter stream. Consumers that handled the event
 * before skip it (processed-event records); the one that failed gets another chance.
 */
export async function replayDeadLetters(connection: NatsConnection, consumer?: string): Promise<number> {
  const manager = await connection.jetstreamManager();
  const js = connection.jetstream();
  const { state } = await manager.streams.info(DEAD_LETTER_STREAM);
  let replayed = 0;
  for (let seq = state.first_seq; state.messages > 0 && seq <= state.last_seq; seq++) {
    const letter = await manager.streams.getMessage(DEAD_LETTER_STREAM, { seq }).catch(() => undefined);
    if (!letter) continue;
    if (consumer && letter.header.get(DeadLetterHeader.consumer) !== consumer) continue;
    const headers = natsHeaders();
    for (const [key, values] of letter.header) {
      if (Object.values(DeadLetterHeader).includes(key as never) || key === 'Nats-Msg-Id') continue;
      for (const value of values) headers.append(key, value);
    }
    const eventId = letter.header.get(EventHeader.id) || `dead-letter:${seq}`;
    await js.publish(letter.header.get(DeadLetterHeader.subject), letter.data, { headers, msgID: `${eventId}:replay:${seq}` });
    await manager.streams.deleteMessage(DEAD_LETTER_STREAM, seq);
    replayed++;
  }
  return replayed;
}

/** Removes durable consumers a service no longer uses, so they do not pile up pending messages. */
export async function retireConsumers(connection: NatsConnection, consumers: Array<{ stream: string; durable: string }>): Promise<void> {
  const manager = await connection.jetstreamManager();
  for (const { stream, durable } of consumers) {
    try {
      await manager.consumers.delete(stream, durable);
    } catch (error) {
      if (!/not found/i.test(String(error))) throw error;
    }
  }
}
