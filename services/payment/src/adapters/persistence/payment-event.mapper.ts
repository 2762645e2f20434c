import type { OutgoingEvent } from '@fooddelivery/adapters/jetstream';
import { PaymentApproved, PaymentRefunded } from '@fooddelivery/gen/fooddelivery/payment/v1/payment_events';
import type { PaymentEvent } from '../../domain/events.js';

/** Domain event → wire event: subject `fooddelivery.payment.<past tense>`, protobuf payload. */
export function toOutgoingEvent(event: PaymentEvent): OutgoingEvent {
  switch (event.type) {
    case 'PaymentApproved':
      return {
        eventId: event.eventId,
        eventType: 'fooddelivery.payment.v1.PaymentApproved',
        subject: 'fooddelivery.payment.approved',
        orderId: event.orderId,
        payload: PaymentApproved.encode({
          eventId: event.eventId,
          orderId: event.orderId,
          occurredAt: event.occurredAt,
          paymentId: event.paymentId,
          customerId: event.customerId,
          amount: event.amount,
          storeId: event.storeId,
          items: event.items,
          deliveryAddress: event.deliveryAddress,
        }).finish(),
      };
    case 'PaymentRefunded':
      return {
        eventId: event.eventId,
        eventType: 'fooddelivery.payment.v1.PaymentRefunded',
        subject: 'fooddelivery.payment.refunded',
        orderId: event.orderId,
        ...(event.causationId !== undefined && { causationId: event.causationId }),
        payload: PaymentRefunded.encode({
          eventId: event.eventId,
          orderId: event.orderId,
          occurredAt: event.occurredAt,
          paymentId: event.paymentId,
          customerId: event.customerId,
          amount: event.amount,
          reason: event.reason,
        }).finish(),
      };
  }
}
