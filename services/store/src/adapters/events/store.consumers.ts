import type { ReceivedEvent } from '@fooddelivery/adapters/jetstream';
import { OrderCancelled } from '@fooddelivery/gen/fooddelivery/order/v1/order_events';
import { PaymentApproved } from '@fooddelivery/gen/fooddelivery/payment/v1/payment_events';
import type { CancelStoreOrder } from '../../application/cancel-store-order.js';
import type { ReceivePaidOrder } from '../../application/receive-paid-order.js';

export const PAYMENT_APPROVED_CONSUMER = 'store-receive-paid-order';
export const ORDER_CANCELLED_CONSUMER = 'store-cancel-delivery';

/** Policy: a paid order reaches the store (PaymentApproved carries everything the store needs). */
export function onPaymentApproved(receive: ReceivePaidOrder) {
  return async (event: ReceivedEvent) => {
    const paid = PaymentApproved.decode(event.payload);
    await receive.execute(
      {
        orderId: paid.orderId,
        storeId: paid.storeId,
        customerId: paid.customerId,
        items: paid.items.map((item) => ({
          menuItemId: item.menuItemId,
          name: item.name,
          quantity: item.quantity,
          unitPrice: item.unitPrice ?? { currencyCode: '', amountMinor: 0 },
          lineTotal: item.lineTotal ?? { currencyCode: '', amountMinor: 0 },
        })),
        total: paid.amount ?? { currencyCode: '', amountMinor: 0 },
        deliveryAddress: paid.deliveryAddress,
      },
      { consumer: PAYMENT_APPROVED_CONSUMER, eventId: event.eventId },
    );
  };
}

/** Policy: a cancelled order's delivery is cancelled. */
export function onOrderCancelled(cancel: CancelStoreOrder) {
  return async (event: ReceivedEvent) => {
    const cancelled = OrderCancelled.decode(event.payload);
    await cancel.execute(
      { orderId: cancelled.orderId, storeId: cancelled.storeId, customerId: cancelled.customerId, reason: cancelled.reason },
      { consumer: ORDER_CANCELLED_CONSUMER, eventId: event.eventId },
    );
  };
}
