import { decodePageToken, encodePageToken } from '@fooddelivery/adapters/page-token';
import type { OutgoingEvent } from '@fooddelivery/adapters/jetstream';
import type { Logger } from '@fooddelivery/adapters/logger';
import { withTraceparent, type CommittedEvents } from '@fooddelivery/adapters/outbox';
import { randomUUID } from 'node:crypto';
import { Order } from '../../domain/order.js';
import { orderChangedConcurrently } from '../../domain/order.errors.js';
import { AbandonedOrder, type OrderPage, type OrderRepository, type PaymentAttempt } from '../../application/ports.js';
import { toOutgoingEvent } from './order-event.mapper.js';
import { ABANDONED, fromStoredChange, toStoredChange } from './order-change.codec.js';
import { isDuplicateKey, logId, pendingId, type OrderDatabase, type StoredEvent } from './order-database.js';
import { fromView, toView } from './order-view.js';
import { OrderViewWriter } from './order-view-writer.js';

interface Cursor {
  placedAt: string;
  orderId: string;
}

/**
 * Orders as append-only logs in MongoDB (FerretDB locally). Appending version n + 1 is an insert
 * of `<orderId>:<n + 1>`: the duplicate-key error of a second writer is the concurrency check.
 * A change with events is written under a pending-change record, so the relay's sweep finds it
 * if this process stops before publishing.
 */
export class MongoOrderRepository implements OrderRepository {
  private readonly views: OrderViewWriter;

  constructor(
    private readonly database: OrderDatabase,
    private readonly relay: CommittedEvents,
    private readonly observe: { logger?: Logger; conflict?: () => void; appended?: (orderId: string) => void } = {},
  ) {
    this.views = new OrderViewWriter(database, observe.logger);
  }

  /** Resolves once the views of every change so far are written (for an orderly shutdown). */
  viewsWritten(): Promise<void> {
    return this.views.flushed();
  }

  async load(orderId: string, probablyNew = false): Promise<Order | AbandonedOrder | undefined> {
    // An order exists once the first entry of its log does: one lookup answers most first PlaceOrders.
    if (probablyNew && !(await this.database.log.findOne({ _id: logId(orderId, 1) }, { projection: { _id: 1 } }))) return undefined;
    const view = await this.database.views.findOne({ _id: orderId });
    let order: Order | undefined;
    if (view) {
      order = Order.restore(fromView(view));
    } else {
      const first = await this.database.log.findOne({ _id: logId(orderId, 1) });
      if (!first) return undefined;
      if (first.change.type === ABANDONED)
        return new AbandonedOrder(orderId, typeof first.change.reason === 'string' ? first.change.reason : '');
      order = Order.fold([fromStoredChange(first.change)]);
      if (!order) return undefined;
    }
    const behind = order.version;
    await this.catchUp(order);
    // Read-repair: the view lagged (a write failed after its log entry, or two writers' views crossed).
    if (order.version !== behind || !view) this.views.schedule(toView(order.snapshot()));
    return order;
  }

  async append(order: Order, attempt?: PaymentAttempt): Promise<void> {
    const pending = order.pendingChange();
    if (!pending) return;
    const { orderId, version } = { orderId: order.id, version: order.version };
    const events = pending.events.map(toOutgoingEvent).map(withTraceparent);
    let token: string;
    let pendingKey: string | undefined;
    if (attempt) {
      if (version !== 1) throw new Error(`a payment attempt starts an order's log, not version ${version}`);
      token = attempt.token;
      pendingKey = pendingId(orderId, 1, token);
    } else {
      token = randomUUID();
      if (events.length > 0) {
        pendingKey = pendingId(orderId, version, token);
        await this.database.inserts.pending.insert({ _id: pendingKey, orderId, version, token, kind: 'change', since: new Date() });
      }
    }
    try {
      await this.database.inserts.log.insert({
        _id: logId(orderId, version),
        orderId,
        version,
        token,
        change: toStoredChange(pending.change),
        events: events.map(toStoredEvent),
        at: pending.change.at,
      });
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      if (pendingKey && !attempt) await this.database.pending.deleteOne({ _id: pendingKey }).catch(() => {});
      this.observe.conflict?.();
      throw orderChangedConcurrently(orderId);
    }
    // The change is committed; the view is a cache that readers repair.
    await this.views
      .write(order)
      .catch((error: unknown) => this.observe.logger?.warn({ err: error, orderId }, 'order view not updated; readers repair it'));
    if (pendingKey && events.length > 0) this.relay.committed([{ key: pendingKey, events }]);
    this.observe.appended?.(orderId);
  }

  async listByCustomer(customerId: string, limit: number, cursor?: string): Promise<OrderPage> {
    const after = cursor ? decodeCursor(cursor) : undefined;
    const filter = after
      ? {
          customerId,
          $or: [{ placedAt: { $lt: new Date(after.placedAt) } }, { placedAt: new Date(after.placedAt), _id: { $lt: after.orderId } }],
        }
      : { customerId };
    const views = await this.database.views
      .find(filter)
      .sort({ placedAt: -1, _id: -1 })
      .limit(limit + 1)
      .toArray();
    const page = views.slice(0, limit).map((view) => Order.restore(fromView(view)));
    await Promise.all(page.map((order) => this.catchUp(order)));
    const last = page.at(-1);
    if (views.length <= limit || !last) return { orders: page };
    return { orders: page, nextCursor: encodeCursor({ placedAt: last.snapshot().placedAt.toISOString(), orderId: last.id }) };
  }

  refresh(order: Order): Promise<void> {
    return this.catchUp(order);
  }

  /** Applies the log's entries after the order's version. */
  private async catchUp(order: Order): Promise<void> {
    for (;;) {
      const next = await this.database.log.findOne({ _id: logId(order.id, order.version + 1) });
      if (!next) return;
      order.advance(next.version, fromStoredChange(next.change));
    }
  }
}

export function toStoredEvent(event: OutgoingEvent): StoredEvent {
  return {
    eventId: event.eventId,
    eventType: event.eventType,
    subject: event.subject,
    ...(event.traceparent && { traceparent: event.traceparent }),
    payload: Buffer.from(event.payload).toString('base64'),
  };
}

export function fromStoredEvent(orderId: string, event: StoredEvent): OutgoingEvent {
  return {
    eventId: event.eventId,
    eventType: event.eventType,
    subject: event.subject,
    orderId,
    ...(event.traceparent && { traceparent: event.traceparent }),
    payload: Buffer.from(event.payload, 'base64'),
  };
}

function encodeCursor(cursor: Cursor): string {
  return encodePageToken(cursor);
}

function decodeCursor(token: string): Cursor {
  return decodePageToken(
    token,
    (value): value is Cursor =>
      typeof value === 'object' &&
      value !== null &&
      typeof (value as Cursor).placedAt === 'string' &&
      typeof (value as Cursor).orderId === 'string',
  );
}
