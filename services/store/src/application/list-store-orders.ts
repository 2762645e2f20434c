import type { StoreOrderStatus } from '../domain/store-order.js';
import { requireOwnerOf, type Actor } from './actor.js';
import type { StoreOrderPage, StoreOrderRepository } from './ports.js';
import { pageSize, requireId } from './validation.js';

/** A store's orders for its owner, newest first, optionally in one status. */
export class ListStoreOrders {
  constructor(private readonly orders: StoreOrderRepository) {}

  async execute(
    actor: Actor,
    storeId: string,
    status: StoreOrderStatus | undefined,
    size: number,
    pageToken: string,
  ): Promise<StoreOrderPage> {
    const store = requireId('store_id', storeId);
    requireOwnerOf(actor, store);
    return this.orders.list(store, status, pageSize(size), pageToken || undefined);
  }
}
