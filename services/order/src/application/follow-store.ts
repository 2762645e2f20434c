import type { StoreProgress } from '../domain/order.js';
import { OrderError } from '../domain/order.errors.js';
import { changeWithRetry } from './change-with-retry.js';
import type { Clock, IdGenerator, OrderRepository } from './ports.js';

/** What the store did with an order, as its events say. */
export type StoreDecision =
  | { type: 'progressed'; step: StoreProgress }
  | { type: 'rejected'; reason: string }
  | { type: 'cancelled'; reason: string }
  | { type: 'cancellation_refused'; reason: string };

/**
 * Policy on the store's events: the order follows the store, which owns delivery and decides
 * cancellations. Late and repeated events change nothing.
 */
export class FollowStore {
  constructor(
    private readonly orders: OrderRepository,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
  ) {}

  async execute(orderId: string, decision: StoreDecision): Promise<void> {
    const order = await changeWithRetry(this.orders, orderId, (order) => {
      const now = this.clock.now();
      switch (decision.type) {
        case 'progressed':
          order.followStore(decision.step, now);
          return;
        case 'rejected':
          order.rejectedByStore(decision.reason, now);
          return;
        case 'cancelled':
          order.storeCancelled(decision.reason, now, this.ids.newId());
          return;
        case 'cancellation_refused':
          order.cancellationRefused(decision.reason, now);
          return;
      }
    });
    // The store only knows orders that were stored, so the log is there; a miss is a read that raced its write.
    if (!order) throw new OrderError('ORDER.NOT_STORED_YET', 'unavailable', `order ${orderId} is not stored yet`);
  }
}
