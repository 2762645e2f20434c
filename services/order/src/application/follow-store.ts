import type { StoreProgress } from '../domain/order.js';
import { OrderError } from '../domain/order.errors.js';
import type { Clock, OrderRepository } from './ports.js';

/** Policy on the store's events: the order's status follows the store, so cancelling needs no call to it. */
export class FollowStore {
  constructor(
    private readonly orders: OrderRepository,
    private readonly clock: Clock,
  ) {}

  async execute(orderId: string, step: StoreProgress, reason: string): Promise<void> {
    const order = await this.orders.findById(orderId);
    // Payment approves before the order is written, so the store can be a moment ahead: retry later.
    if (!order) throw new OrderError('ORDER.NOT_STORED_YET', 'unavailable', `order ${orderId} is not stored yet`);
    if (order.followStore(step, reason, this.clock.now())) await this.orders.update(order);
  }
}
