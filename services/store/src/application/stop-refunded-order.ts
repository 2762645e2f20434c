import { StoreOrder } from '../domain/store-order.js';
import { changeWithRetry } from './change-with-retry.js';
import type { Clock, HandledEvent, IdGenerator, StoreOrderRepository } from './ports.js';

export interface Refund {
  orderId: string;
  customerId: string;
  reason: string;
}

/**
 * Policy on PaymentRefunded: a refund, for whatever reason, ends the store's order. It can no
 * longer be accepted, cooked or delivered, and the owner sees why. A refund that arrives before
 * the order stops it in advance.
 */
export class StopRefundedOrder {
  constructor(
    private readonly orders: StoreOrderRepository,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
  ) {}

  async execute(refund: Refund, handled: HandledEvent): Promise<void> {
    const reason = `payment refunded: ${refund.reason}`.slice(0, 500);
    await changeWithRetry(
      this.orders,
      refund.orderId,
      (order) => {
        const now = this.clock.now();
        if (!order) return StoreOrder.cancelledBeforeReceipt(refund.orderId, '', refund.customerId, reason, now);
        return order.stopForRefund(reason, now, this.ids.newId(), handled.eventId) ? order : undefined;
      },
      handled,
    );
  }
}
