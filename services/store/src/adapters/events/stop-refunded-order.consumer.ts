import type { ReceivedEvent } from '@fooddelivery/adapters/jetstream';
import { PaymentRefunded } from '@fooddelivery/gen/fooddelivery/payment/v1/payment_events';
import type { StopRefundedOrder } from '../../application/stop-refunded-order.js';

export const STOP_REFUNDED_CONSUMER = 'store-stop-refunded-order';

/** Policy: a refunded payment ends the store's order. */
export function onPaymentRefunded(stop: StopRefundedOrder) {
  return async (event: ReceivedEvent) => {
    const refunded = PaymentRefunded.decode(event.payload);
    await stop.execute(
      { orderId: required(refunded.orderId), customerId: refunded.customerId, reason: refunded.reason },
      { consumer: STOP_REFUNDED_CONSUMER, eventId: event.eventId },
    );
  };
}

function required(orderId: string): string {
  if (!orderId) throw new Error('the event carries no order id');
  return orderId;
}
