import type { StoreOrder, StoreOrderStatus, StoreOwnerAction } from '../domain/store-order.js';
import { storeOrderNotFound } from '../domain/store-order.errors.js';
import { requireOwnerOf, type Actor } from './actor.js';
import type { Clock, IdGenerator, StoreOrderPage, StoreOrderRepository } from './ports.js';
import { changeWithRetry } from './change-with-retry.js';
import { optionalText, pageSize, requireId } from './validation.js';

/** What the store owner does with an order: accept, cook, deliver, or reject it. */
export class StoreOwnerActions {
  constructor(
    private readonly orders: StoreOrderRepository,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
  ) {}

  async perform(actor: Actor, action: StoreOwnerAction, storeId: string, orderId: string, reason = ''): Promise<StoreOrder> {
    const store = requireId('store_id', storeId);
    requireOwnerOf(actor, store);
    const id = requireId('order_id', orderId);
    const why = action === 'reject' ? optionalText('reason', reason, 500) || 'rejected by the store' : '';
    // A cancellation or refund may be decided at the same moment: the loser reads again and decides again.
    const order = await changeWithRetry(this.orders, id, (order) => {
      if (!order || order.snapshot().storeId !== store) throw storeOrderNotFound(store, id);
      order.act(action, this.clock.now(), this.ids.newId(), why);
      return order.newEvents().length > 0 ? order : undefined;
    });
    if (order) return order;
    const unchanged = await this.orders.find(id);
    if (!unchanged) throw storeOrderNotFound(store, id);
    return unchanged;
  }

  list(actor: Actor, storeId: string, status: StoreOrderStatus | undefined, size: number, pageToken: string): Promise<StoreOrderPage> {
    const store = requireId('store_id', storeId);
    requireOwnerOf(actor, store);
    return this.orders.list(store, status, pageSize(size), pageToken || undefined);
  }
}
