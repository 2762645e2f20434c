import type { ReceivedEvent } from '@fooddelivery/adapters/jetstream';
import { OrderCancelled } from '@fooddelivery/gen/fooddelivery/order/v1/order_events';
import { OrderRejected } from '@fooddelivery/gen/fooddelivery/store/v1/store_events';
import type { RefundCancelledOrder } from '../../application/refund-cancelled-order.js';

export const ORDER_CANCELLED_CONSUMER = 'payment-refund-cancelled-order';
export const ORDER_REJECTED_CONSUMER = 'payment-refund-rejected-order';

/** fooddelivery.order.cancelled → the order's payment is refunded. */
export function onOrderCancelled(policy: RefundCancelledOrder) {
  return async (event: ReceivedEvent) => {
    const cancelled = OrderCancelled.decode(event.payload);
    await policy.execute(
      { orderId: required(cancelled.orderId), reason: cancelled.reason, because: 'cancelled' },
      { consumer: ORDER_CANCELLED_CONSUMER, eventId: event.eventId },
    );
  };
}

/** fooddelivery.store.rejected → the order's payment is refunded. */
export function onOrderRejected(policy: RefundCancelledOrder) {
  return async (event: ReceivedEvent) => {
    const rejected = OrderRejected.decode(event.payload);
    await policy.execute(
      { orderId: required(rejected.orderId), reason: rejected.reason, because: 'rejected' },
      { consumer: ORDER_REJECTED_CONSUMER, eventId: event.eventId },
    );
  };
}

function required(orderId: string): string {
  if (!orderId) throw new Error('the event carries no order id');
  return orderId;
}
