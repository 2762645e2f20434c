import type { StoreOrder, StoreOwnerAction } from '../domain/store-order.js';
import { storeOrderNotFound } from '../domain/store-order.errors.js';
import { requireOwnerOf, type Actor } from './actor.js';
import type { Clock, IdGenerator, StoreOrderRepository } from './ports.js';
import { changeWithRetry } from './change-with-retry.js';
import { optionalText, requireId } from './validation.js';

/** The store owner takes a step with one of the store's orders: accept, cook, deliver, complete, or reject it. */
export class ActOnStoreOrder {
  constructor(
    private readonly orders: StoreOrderRepository,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
  ) {}

  async execute(actor: Actor, action: StoreOwnerAction, storeId: string, orderId: string, reason = ''): Promise<StoreOrder> {
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
}
