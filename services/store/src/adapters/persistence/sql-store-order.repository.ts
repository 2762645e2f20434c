import { decodePageToken, encodePageToken } from '@fooddelivery/adapters/page-token';
import type { SqlOrm } from '@fooddelivery/adapters/orm';
import type { CommittedEvents } from '@fooddelivery/adapters/outbox';
import { appendToOutbox, outboxItems, recordHandledEvent, wasHandled } from '@fooddelivery/adapters/sql-outbox';
import { dateFrom, jsonFrom, placeholders, runSql } from '@fooddelivery/adapters/sql-statements';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { LineItem } from '../../domain/line-item.js';
import type { Money } from '../../domain/money.js';
import { StoreOrder, type StoreOrderState, type StoreOrderStatus } from '../../domain/store-order.js';
import { changedConcurrently } from '../../domain/store-order.errors.js';
import type { HandledEvent, StoreOrderPage, StoreOrderRepository } from '../../application/ports.js';
import { toOutgoingEvent } from './store-event.mapper.js';
import { StoreOrderSchema } from './store-order.schema.js';

export class SqlStoreOrderRepository implements StoreOrderRepository {
  constructor(
    private readonly orm: SqlOrm,
    private readonly relay: CommittedEvents = { committed: () => {} },
  ) {}

  async find(orderId: string): Promise<StoreOrder | undefined> {
    const { rows } = await runSql<StoreOrderColumns>(this.orm.em, `SELECT ${COLUMNS} FROM store_orders WHERE order_id = ?`, [orderId]);
    return rows[0] && StoreOrder.restore(toState(rows[0]));
  }

  async save(order: StoreOrder, handled?: HandledEvent): Promise<boolean> {
    const state = order.snapshot();
    const events = order.newEvents().map(toOutgoingEvent);
    const now = new Date();
    try {
      await this.orm.em.fork().transactional(async (em) => {
        if (handled) await recordHandledEvent(em, handled.consumer, handled.eventId, now);
        if (state.version === 1) {
          await runSql(em, `INSERT INTO store_orders (${COLUMNS}) VALUES ${placeholders(11)}`, toColumns(state));
        } else {
          const { affected } = await runSql(
            em,
            `UPDATE store_orders SET ${COLUMNS.split(', ')
              .map((column) => `${column} = ?`)
              .join(', ')} WHERE order_id = ? AND version = ?`,
            [...toColumns(state), state.orderId, state.version - 1],
          );
          if (affected === 0) throw changedConcurrently(state.orderId);
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

/** The columns of `store_orders` (see store-order.schema.ts), in the order of `toColumns`. */
const COLUMNS = 'order_id, store_id, customer_id, items, total, delivery_address, status, status_reason, received_at, updated_at, version';

interface StoreOrderColumns {
  order_id: string;
  store_id: string;
  customer_id: string;
  items: unknown;
  total: unknown;
  delivery_address: string;
  status: StoreOrderStatus;
  status_reason: string;
  received_at: unknown;
  updated_at: unknown;
  version: number;
}

function toColumns(state: StoreOrderState): unknown[] {
  return [
    state.orderId,
    state.storeId,
    state.customerId,
    state.items,
    state.total,
    state.deliveryAddress,
    state.status,
    state.statusReason,
    state.receivedAt,
    state.updatedAt,
    state.version,
  ];
}

function toState(row: StoreOrderColumns): StoreOrderState {
  return {
    orderId: row.order_id,
    storeId: row.store_id,
    customerId: row.customer_id,
    items: jsonFrom<LineItem[]>(row.items),
    total: jsonFrom<Money>(row.total),
    deliveryAddress: row.delivery_address,
    status: row.status,
    statusReason: row.status_reason,
    receivedAt: dateFrom(row.received_at),
    updatedAt: dateFrom(row.updated_at),
    version: Number(row.version),
  };
}

function decodeOffset(cursor: string): number {
  return decodePageToken(cursor, (value): value is number => Number.isInteger(value) && (value as number) >= 0);
}
