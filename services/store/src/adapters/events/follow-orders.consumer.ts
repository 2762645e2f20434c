import type { ReceivedEvent } from '@fooddelivery/adapters/jetstream';
import { Streams } from '@fooddelivery/adapters/streams';
import { OrderCancellationRequested, OrderPlaced } from '@fooddelivery/gen/fooddelivery/order/v1/order_events';
import type { DecideCancellation } from '../../application/decide-cancellation.js';
import type { ReceivePlacedOrder } from '../../application/receive-placed-order.js';

export const FOLLOW_ORDERS_CONSUMER = 'store-follow-orders';
/** Durables of earlier versions (the store took orders from PaymentApproved and cancelled on OrderCancelled). */
export const RETIRED_CONSUMERS = [
  { stream: Streams.payment.name, durable: 'store-receive-paid-order' },
  { stream: Streams.order.name, durable: 'store-cancel-delivery' },
];

export const followedOrderSubjects = ['fooddelivery.order.placed', 'fooddelivery.order.cancellation_requested'];

/** Policy on the order's events: a stored order reaches the store owner; a cancellation request is decided here. */
export function onOrderEvent(receive: ReceivePlacedOrder, decide: DecideCancellation) {
  return async (event: ReceivedEvent) => {
    const handled = { consumer: FOLLOW_ORDERS_CONSUMER, eventId: event.eventId };
    if (event.subject === 'fooddelivery.order.placed') {
      const placed = OrderPlaced.decode(event.payload);
      await receive.execute(
        {
          orderId: required(placed.orderId),
          storeId: placed.storeId,
          customerId: placed.customerId,
          items: placed.items.map((item) => ({
            menuItemId: item.menuItemId,
            name: item.name,
            quantity: item.quantity,
            unitPrice: item.unitPrice ?? { currencyCode: '', amountMinor: 0 },
            lineTotal: item.lineTotal ?? { currencyCode: '', amountMinor: 0 },
          })),
          total: placed.total ?? { currencyCode: '', amountMinor: 0 },
          deliveryAddress: placed.deliveryAddress,
        },
        handled,
      );
    } else if (event.subject === 'fooddelivery.order.cancellation_requested') {
      const request = OrderCancellationRequested.decode(event.payload);
      await decide.execute(
        { orderId: required(request.orderId), storeId: request.storeId, customerId: request.customerId, reason: request.reason },
        handled,
      );
    }
  };
}

function required(orderId: string): string {
  if (!orderId) throw new Error('the event carries no order id');
  return orderId;
}
