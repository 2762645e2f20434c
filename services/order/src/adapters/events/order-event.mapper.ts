import type { OutgoingEvent } from '@fooddelivery/adapters/jetstream';
import { OrderCancelled, OrderPlaced } from '@fooddelivery/gen/fooddelivery/order/v1/order_events';
import type { OrderEvent } from '../../domain/events.js';

/** Domain event → wire event: subject `fooddelivery.order.<past tense>`, protobuf payload. */
export function toOutgoingEvent(event: OrderEvent): OutgoingEvent {
  switch (event.type) {
    case 'OrderPlaced':
      return {
        eventId: event.eventId,
        eventType: 'fooddelivery.order.v1.OrderPlaced',
        subject: 'fooddelivery.order.placed',
        orderId: event.orderId,
        payload: OrderPlaced.encode({
          eventId: event.eventId,
          orderId: event.orderId,
          occurredAt: event.occurredAt,
          customerId: event.customerId,
          storeId: event.storeId,
          items: event.items,
          total: event.total,
          deliveryAddress: event.deliveryAddress,
          paymentId: event.paymentId,
        }).finish(),
      };
    case 'OrderCancelled':
      return {
        eventId: event.eventId,
        eventType: 'fooddelivery.order.v1.OrderCancelled',
        subject: 'fooddelivery.order.cancelled',
        orderId: event.orderId,
        payload: OrderCancelled.encode({
          eventId: event.eventId,
          orderId: event.orderId,
          occurredAt: event.occurredAt,
          customerId: event.customerId,
          storeId: event.storeId,
          paymentId: event.paymentId,
          total: event.total,
          reason: event.reason,
        }).finish(),
      };
  }
}
