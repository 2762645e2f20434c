import { decodePageToken, encodePageToken } from '@fooddelivery/adapters/page-token';
import type { SqlOrm } from '@fooddelivery/adapters/orm';
import type { CommittedEvents } from '@fooddelivery/adapters/outbox';
import { appendToOutbox, outboxItems, recordHandledEvent, wasHandled } from '@fooddelivery/adapters/sql-outbox';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { StoreOrder, type StoreOrderStatus } from '../../domain/store-order.js';
import { changedConcurrently } from '../../domain/store-order.errors.js';
import type { HandledEvent, StoreOrderPage, StoreOrderRepository } from '../../application/ports.js';
import { toOutgoingEvent } from './store-event.mapper.js';
import { StoreOrderSchema, type StoreOrderRow } from './store-order.schema.js';

export class SqlStoreOrderRepository implements StoreOrderRepository {
  constructor(
    private readonly orm: SqlOrm,
    private readonly relay: CommittedEvents = { committed: () => {} },
  ) {}

  async find(orderId: string): Promise<StoreOrder | undefined> {
    const row = await this.orm.em.fork().findOne(StoreOrderSchema, { orderId });
    return row ? StoreOrder.restore(row) : undefined;
  }

  async save(order: StoreOrder, handled?: HandledEvent): Promise<boolean> {
    const state = order.snapshot();
    const events = order.newEvents().map(toOutgoingEvent);
    const now = new Date();
    try {
      await this.orm.em.fork().transactional(async (em) => {
        if (handled) await recordHandledEvent(em, handled.consumer, handled.eventId, now);
        const row: StoreOrderRow = { ...state, items: [...state.items] };
        if (state.version === 1) {
          await em.insert(StoreOrderSchema, row);
        } else {
          const updated = await em.nativeUpdate(StoreOrderSchema, { orderId: state.orderId, version: state.version - 1 }, row);
          if (updated === 0) throw changedConcurrently(state.orderId);
        }
        await appendToOutbox(em, events, now);
      });
    } catch (error) {
      if (!(error instanceof UniqueConstraintViolationException)) throw error;
      // Another write got there first: the same event handled by another replica, or the order created meanwhile.
      if (handled && (await wasHandled(this.orm, handled.consumer, handled.eventId))) return false;
      throw changedConcurrently(state.orderId);
    }
    this.relay.committed(outboxItems(events));
    return true;
  }

  async list(storeId: string, status: StoreOrderStatus | undefined, limit: number, cursor?: string): Promise<StoreOrderPage> {
    const offset = cursor === undefined ? 0 : decodeOffset(cursor);
    const rows = await this.orm.em
      .fork()
      .find(
        StoreOrderSchema,
        { storeId, ...(status && { status }) },
        { orderBy: { receivedAt: 'desc', orderId: 'desc' }, limit: limit + 1, offset },
      );
    const orders = rows.slice(0, limit).map((row) => StoreOrder.restore(row));
    return rows.length > limit ? { orders, nextCursor: encodePageToken(offset + limit) } : { orders };
  }
}

function decodeOffset(cursor: string): number {
  return decodePageToken(cursor, (value): value is number => Number.isInteger(value) && (value as number) >= 0);
}
