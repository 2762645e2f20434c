import { EntitySchema, type EntityManager } from '@mikro-orm/core';
import type { OutgoingEvent } from './jetstream.js';
import type { Logger } from './logger.js';
import { OutboxRelay, withTraceparent, type OutboxItem, type OutboxStore, type Publisher } from './outbox.js';
import type { SqlOrm } from './orm.js';
import type { Metrics } from './metrics.js';
import { observeOutbox, type OutboxBacklog } from './outbox-metrics.js';
import { placeholders, runSql } from './sql-statements.js';
import { currentTraceparent } from './tracing.js';

/** An event stored in the same transaction as the change that raised it. */
export interface OutboxRow {
  eventId: string;
  subject: string;
  eventType: string;
  orderId: string;
  causationId: string | null;
  /** The W3C traceparent of the change that raised it: its consumers continue that trace. */
  traceparent: string | null;
  payload: Buffer;
  createdAt: Date;
  publishedAt: Date | null;
}

export const OutboxRowSchema = new EntitySchema<OutboxRow>({
  name: 'OutboxRow',
  tableName: 'outbox_events',
  properties: {
    eventId: { type: 'string', primary: true, length: 64 },
    subject: { type: 'string', length: 200 },
    eventType: { type: 'string', length: 200 },
    orderId: { type: 'string', length: 64 },
    causationId: { type: 'string', length: 64, nullable: true },
    traceparent: { type: 'string', length: 64, nullable: true },
    payload: { type: 'blob' },
    createdAt: { type: 'Date', index: true },
    publishedAt: { type: 'Date', nullable: true, index: true },
  },
});

/** An event already handled by a consumer: written with the effect, so a redelivery has none. */
export interface ProcessedEventRow {
  consumer: string;
  eventId: string;
  processedAt: Date;
}

export const ProcessedEventSchema = new EntitySchema<ProcessedEventRow>({
  name: 'ProcessedEventRow',
  tableName: 'processed_events',
  properties: {
    consumer: { type: 'string', primary: true, length: 100 },
    eventId: { type: 'string', primary: true, length: 100 },
    processedAt: { type: 'Date', index: true },
  },
});

/** Adds events to the outbox within the caller's transaction, with the trace they are raised in. */
export async function appendToOutbox(em: EntityManager, events: OutgoingEvent[], now: Date): Promise<void> {
  if (events.length === 0) return;
  const traceparent = currentTraceparent() ?? null;
  const row = placeholders(9);
  await runSql(
    em,
    `INSERT INTO outbox_events (event_id, subject, event_type, order_id, causation_id, traceparent, payload, created_at, published_at) VALUES ${events.map(() => row).join(', ')}`,
    events.flatMap((event) => [
      event.eventId,
      event.subject,
      event.eventType,
      event.orderId,
      event.causationId ?? null,
      event.traceparent ?? traceparent,
      Buffer.from(event.payload),
      now,
      null,
    ]),
  );
}

/**
 * Records, within the caller's transaction, that `consumer` handled `eventId`. The record's key is
 * the check: recording the same event again fails with a UniqueConstraintViolationException, which
 * rolls the caller's transaction back, change and all (then `wasHandled` tells why).
 */
export async function recordHandledEvent(em: EntityManager, consumer: string, eventId: string, now: Date): Promise<void> {
  await runSql(em, 'INSERT INTO processed_events (consumer, event_id, processed_at) VALUES (?, ?, ?)', [consumer, eventId, now]);
}

/** Whether `consumer` has handled `eventId`: asked after a write failed on a unique key. */
export async function wasHandled(orm: SqlOrm, consumer: string, eventId: string): Promise<boolean> {
  const { rows } = await runSql(orm.em, 'SELECT 1 AS handled FROM processed_events WHERE consumer = ? AND event_id = ?', [
    consumer,
    eventId,
  ]);
  return rows.length > 0;
}

export class SqlOutboxStore implements OutboxStore, OutboxBacklog {
  constructor(private readonly orm: SqlOrm) {}

  async backlog(): Promise<{ items: number; oldest: Date | undefined }> {
    const em = this.orm.em.fork();
    const items = await em.count(OutboxRowSchema, { publishedAt: null });
    const oldest = items === 0 ? undefined : await em.findOne(OutboxRowSchema, { publishedAt: null }, { orderBy: { createdAt: 'asc' } });
    return { items, oldest: oldest?.createdAt };
  }

  async pending(limit: number, committedBefore: Date): Promise<OutboxItem[]> {
    const rows = await this.orm.em
      .fork()
      .find(OutboxRowSchema, { publishedAt: null, createdAt: { $lt: committedBefore } }, { orderBy: { createdAt: 'asc' }, limit });
    return rows.map((row) => ({ key: row.eventId, events: [toOutgoingEvent(row)] }));
  }

  async markPublished(eventIds: string[]): Promise<void> {
    await runSql(this.orm.em, `UPDATE outbox_events SET published_at = ? WHERE event_id IN ${placeholders(eventIds.length)}`, [
      new Date(),
      ...eventIds,
    ]);
  }

  /** Forgets published events and handled-event records older than `before`. Returns the rows deleted. */
  async prune(before: Date): Promise<number> {
    const em = this.orm.em.fork();
    const published = await em.nativeDelete(OutboxRowSchema, { publishedAt: { $lt: before } });
    const processed = await em.nativeDelete(ProcessedEventSchema, { processedAt: { $lt: before } });
    return published + processed;
  }
}

/**
 * The outbox of a SQL service, running: the relay publishing its events (started here, stopped on
 * shutdown) and an hourly pruning of published events and handled-event records older than
 * `retentionMs`. Hand the returned relay to the repositories (`committed`).
 */
export function runSqlOutbox(
  orm: SqlOrm,
  publisher: Publisher,
  kit: {
    logger: Logger;
    metrics: Metrics;
    retentionMs: number;
    onShutdown(hook: () => Promise<void> | void): void;
    repeat(what: string, everyMs: number, work: () => Promise<void>): void;
  },
): OutboxRelay {
  const outbox = new SqlOutboxStore(orm);
  const relay = new OutboxRelay(outbox, publisher, kit.logger);
  relay.start();
  kit.onShutdown(() => relay.stop());
  observeOutbox(outbox, kit.metrics);
  kit.repeat('pruning published events and handled-event records', 3_600_000, async () => {
    const deleted = await outbox.prune(new Date(Date.now() - kit.retentionMs));
    if (deleted > 0) kit.logger.info({ deleted }, 'pruned published events and handled-event records');
  });
  return relay;
}

/** The outbox items of events just appended in a committed transaction, for the relay's fast path. */
export function outboxItems(events: OutgoingEvent[]): OutboxItem[] {
  return events.map((event) => ({ key: event.eventId, events: [withTraceparent(event)] }));
}

function toOutgoingEvent(row: OutboxRow): OutgoingEvent {
  return {
    eventId: row.eventId,
    subject: row.subject,
    eventType: row.eventType,
    orderId: row.orderId,
    ...(row.causationId !== null && { causationId: row.causationId }),
    ...(row.traceparent !== null && { traceparent: row.traceparent }),
    payload: new Uint8Array(row.payload),
  };
}
