import { InvalidRequestError } from '@fooddelivery/adapters/errors';
import type { OutgoingEvent } from '@fooddelivery/adapters/jetstream';
import type { OutboxStore } from '@fooddelivery/adapters/outbox';
import type { MongoOrm } from '@fooddelivery/adapters/orm';
import { Order, type LineItem } from '../../domain/order.js';
import { orderChangedConcurrently } from '../../domain/order.errors.js';
import type { OrderPage, OrderRepository } from '../../application/ports.js';
import { toOutgoingEvent } from '../events/order-event.mapper.js';
import { OrderSchema, type OrderDocument, type OutboxEntry } from './order.schema.js';

interface Cursor {
  placedAt: string;
  orderId: string;
}

/** Orders in MongoDB (FerretDB locally). Single-document writes only: no multi-document transactions needed. */
export class MongoOrderRepository implements OrderRepository, OutboxStore {
  constructor(
    private readonly orm: MongoOrm,
    private readonly onEventsStored: () => void = () => {},
  ) {}

  async findById(orderId: string): Promise<Order | undefined> {
    const document = await this.orm.em.fork().findOne(OrderSchema, { _id: orderId });
    return document ? toOrder(document) : undefined;
  }

  async insert(order: Order): Promise<boolean> {
    const state = order.snapshot();
    const outbox = order.newEvents().map(toOutboxEntry);
    try {
      await this.orm.em.fork().insert(OrderSchema, {
        _id: state.orderId,
        customerId: state.customerId,
        storeId: state.storeId,
        items: state.items,
        total: state.total,
        deliveryAddress: state.deliveryAddress,
        status: state.status,
        statusReason: state.statusReason,
        paymentId: state.paymentId,
        placedAt: state.placedAt,
        updatedAt: state.updatedAt,
        version: state.version,
        outbox,
        hasPendingEvents: outbox.length > 0,
      });
    } catch (error) {
      if (isDuplicateKey(error)) return false;
      throw error;
    }
    if (outbox.length > 0) this.onEventsStored();
    return true;
  }

  async update(order: Order): Promise<void> {
    const state = order.snapshot();
    const newEntries = order.newEvents().map(toOutboxEntry);
    const result = await this.collection().updateOne(
      { _id: state.orderId, version: state.version - 1 } as never,
      {
        $set: {
          status: state.status,
          statusReason: state.statusReason,
          updatedAt: state.updatedAt,
          version: state.version,
          ...(newEntries.length > 0 && { hasPendingEvents: true }),
        },
        ...(newEntries.length > 0 && { $push: { outbox: { $each: newEntries } } }),
      } as never,
    );
    if (result.matchedCount === 0) throw orderChangedConcurrently(state.orderId);
    if (newEntries.length > 0) this.onEventsStored();
  }

  async listByCustomer(customerId: string, limit: number, cursor?: string): Promise<OrderPage> {
    const after = cursor ? decodeCursor(cursor) : undefined;
    const filter = after
      ? {
          customerId,
          $or: [{ placedAt: { $lt: new Date(after.placedAt) } }, { placedAt: new Date(after.placedAt), _id: { $lt: after.orderId } }],
        }
      : { customerId };
    const documents = await this.orm.em
      .fork()
      .find(OrderSchema, filter as never, { orderBy: { placedAt: -1, _id: -1 } as never, limit: limit + 1 });
    const page = documents.slice(0, limit).map(toOrder);
    const last = page.at(-1);
    if (documents.length <= limit || !last) return { orders: page };
    return { orders: page, nextCursor: encodeCursor({ placedAt: last.snapshot().placedAt.toISOString(), orderId: last.id }) };
  }

  async pending(limit: number): Promise<OutgoingEvent[]> {
    const documents = await this.collection()
      .find({ hasPendingEvents: true } as never, { projection: { _id: 1, outbox: 1 }, limit })
      .toArray();
    return documents.flatMap((document) =>
      (document.outbox as OutboxEntry[]).map((entry) => ({
        eventId: entry.eventId,
        eventType: entry.eventType,
        subject: entry.subject,
        orderId: String(document._id),
        payload: Buffer.from(entry.payload, 'base64'),
      })),
    );
  }

  async markPublished(events: OutgoingEvent[]): Promise<void> {
    const eventIds = events.map((event) => event.eventId);
    // By _id, the primary key: FerretDB on SQLite scans the whole collection for other filters.
    const byOrder = { _id: { $in: [...new Set(events.map((event) => event.orderId))] } };
    const collection = this.collection();
    await collection.updateMany(byOrder as never, { $pull: { outbox: { eventId: { $in: eventIds } } } } as never);
    await collection.updateMany({ ...byOrder, outbox: { $size: 0 } } as never, { $set: { hasPendingEvents: false } } as never);
  }

  private collection() {
    return this.orm.em.getConnection().getCollection<OrderDocument>('orders');
  }
}

function toOutboxEntry(event: Parameters<typeof toOutgoingEvent>[0]): OutboxEntry {
  const outgoing = toOutgoingEvent(event);
  return {
    eventId: outgoing.eventId,
    eventType: outgoing.eventType,
    subject: outgoing.subject,
    payload: Buffer.from(outgoing.payload).toString('base64'),
  };
}

function toOrder(document: OrderDocument): Order {
  return Order.restore({
    orderId: document._id,
    customerId: document.customerId,
    storeId: document.storeId,
    items: document.items as LineItem[],
    total: document.total,
    deliveryAddress: document.deliveryAddress,
    status: document.status,
    statusReason: document.statusReason,
    paymentId: document.paymentId,
    placedAt: new Date(document.placedAt),
    updatedAt: new Date(document.updatedAt),
    version: document.version,
  });
}

function isDuplicateKey(error: unknown): boolean {
  const text = `${(error as { name?: string }).name ?? ''} ${error instanceof Error ? error.message : ''}`;
  return /UniqueConstraintViolation|E11000|duplicate key/i.test(text);
}

function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

function decodeCursor(token: string): Cursor {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString()) as Partial<Cursor>;
    if (typeof parsed.placedAt === 'string' && typeof parsed.orderId === 'string') return parsed as Cursor;
  } catch {
    // fall through
  }
  throw new InvalidRequestError('page_token', 'is not a token this service issued');
}
