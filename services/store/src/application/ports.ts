import type { HandledEvent } from '@fooddelivery/kernel/handled-event';
import type { StoreOrder, StoreOrderStatus } from '../domain/store-order.js';

export interface StoreOrderPage {
  orders: StoreOrder[];
  nextCursor?: string;
}

export interface StoreOrderRepository {
  find(orderId: string): Promise<StoreOrder | undefined>;
  /**
   * Stores the order's changes and new events in one transaction; with `handled`, also records
   * the event as handled, or returns false without writing if it already was. Throws
   * `changedConcurrently` when the order changed since it was read.
   */
  save(order: StoreOrder, handled?: HandledEvent): Promise<boolean>;
  list(storeId: string, status: StoreOrderStatus | undefined, limit: number, cursor?: string): Promise<StoreOrderPage>;
}

export type { Clock, IdGenerator } from '@fooddelivery/kernel/clock';
export type { HandledEvent } from '@fooddelivery/kernel/handled-event';
