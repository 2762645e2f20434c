import type { OutgoingEvent } from '@fooddelivery/adapters/jetstream';
import { OrderCancellationRequested, OrderCancelled, OrderPlaced } from '@fooddelivery/gen/fooddelivery/order/v1/order_events';
import type { OrderEvent } from '../../domain/events.js';

/** Domain event → wire event: subject `fooddelivery.order.<past tense>`, protobuf payload. */
export function toOutgoingEvent(event: OrderEvent): OutgoingEvent {
  const base = { eventId: event.eventId, orderId: event.orderId };
  const common = { ...base, occurredAt: event.occurredAt, customerId: event.customerId, storeId: event.storeId };
  switch (event.type) {
    case 'OrderPlaced':
      return {
        ...base,
        eventType: 'fooddelivery.order.v1.OrderPlaced',
        subject: 'fooddelivery.order.placed',
        payload: OrderPlaced.encode({
          ...common,
          items: event.items,
          total: event.total,
          deliveryAddress: event.deliveryAddress,
          paymentId: event.paymentId,
        }).finish(),
      };
    case 'OrderCancellationRequested':
      return {
        ...base,
        eventType: 'fooddelivery.order.v1.OrderCancellationRequested',
        subject: 'fooddelivery.order.cancellation_requested',
        payload: OrderCancellationRequested.encode({ ...common, reason: event.reason }).finish(),
      };
    case 'OrderCancelled':
      return {
        ...base,
        eventType: 'fooddelivery.order.v1.OrderCancelled',
        subject: 'fooddelivery.order.cancelled',
        payload: OrderCancelled.encode({ ...common, paymentId: event.paymentId, total: event.total, reason: event.reason }).finish(),
      };
  }
}
