import type { OutgoingEvent } from '@fooddelivery/adapters/jetstream';
import {
  CancellationRefused,
  CookingStarted,
  DeliveryCancelled,
  DeliveryCompleted,
  DeliveryStarted,
  OrderAccepted,
  OrderRejected,
} from '@fooddelivery/gen/fooddelivery/store/v1/store_events';
import type { StoreEvent, StoreEventType } from '../../domain/store-order.js';
import { wireStatus } from '../wire-status.js';

const wire: Record<StoreEventType, { subject: string; encode: (event: StoreEvent) => Uint8Array }> = {
  OrderAccepted: { subject: 'accepted', encode: (event) => OrderAccepted.encode(base(event)).finish() },
  CookingStarted: { subject: 'cooking_started', encode: (event) => CookingStarted.encode(base(event)).finish() },
  DeliveryStarted: { subject: 'delivery_started', encode: (event) => DeliveryStarted.encode(base(event)).finish() },
  DeliveryCompleted: { subject: 'delivery_completed', encode: (event) => DeliveryCompleted.encode(base(event)).finish() },
  OrderRejected: { subject: 'rejected', encode: (event) => OrderRejected.encode({ ...base(event), reason: event.reason }).finish() },
  DeliveryCancelled: {
    subject: 'delivery_cancelled',
    encode: (event) => DeliveryCancelled.encode({ ...base(event), reason: event.reason }).finish(),
  },
  CancellationRefused: {
    subject: 'cancellation_refused',
    encode: (event) =>
      CancellationRefused.encode({
        ...base(event),
        reason: event.reason,
        status: event.refusedInStatus ? wireStatus[event.refusedInStatus] : 0,
      }).finish(),
  },
};

export function toOutgoingEvent(event: StoreEvent): OutgoingEvent {
  const { subject, encode } = wire[event.type];
  return {
    eventId: event.eventId,
    eventType: `fooddelivery.store.v1.${event.type}`,
    subject: `fooddelivery.store.${subject}`,
    orderId: event.orderId,
    ...(event.causationId !== undefined && { causationId: event.causationId }),
    payload: encode(event),
  };
}

function base(event: StoreEvent) {
  return {
    eventId: event.eventId,
    orderId: event.orderId,
    occurredAt: event.occurredAt,
    storeId: event.storeId,
    customerId: event.customerId,
    total: event.total,
  };
}
