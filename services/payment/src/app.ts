import type { EventSubscription } from '@fooddelivery/adapters/jetstream';
import { Streams } from '@fooddelivery/adapters/streams';
import { ApprovePayment } from './application/approve-payment.js';
import { GetPayment } from './application/get-payment.js';
import type { Clock, IdGenerator, PaymentProvider, PaymentRepository } from './application/ports.js';
import { RefundCancelledOrder } from './application/refund-cancelled-order.js';
import { RefundPayment } from './application/refund-payment.js';
import {
  onOrderCancelled,
  onOrderRejected,
  ORDER_CANCELLED_CONSUMER,
  ORDER_REJECTED_CONSUMER,
} from './adapters/events/refund-cancelled-order.consumer.js';
import { paymentServiceBinding } from './adapters/grpc/payment.handlers.js';

/** What the payment context needs from the outside world. */
export interface PaymentPorts {
  payments: PaymentRepository;
  provider: PaymentProvider;
  clock: Clock;
  ids: IdGenerator;
}

/**
 * The payment context wired to its ports: the use cases, the RPCs that serve them and the events
 * it subscribes to. main.ts passes the real adapters; tests and the saga simulation in-memory ones.
 */
export function buildApplication(ports: PaymentPorts) {
  const useCases = {
    approvePayment: new ApprovePayment(ports.payments, ports.provider, ports.clock, ports.ids),
    refundPayment: new RefundPayment(ports),
    getPayment: new GetPayment(ports.payments),
    refundCancelledOrder: new RefundCancelledOrder(ports),
  };
  const subscriptions: EventSubscription[] = [
    {
      stream: Streams.order.name,
      durable: ORDER_CANCELLED_CONSUMER,
      filterSubjects: ['fooddelivery.order.cancelled'],
      handle: onOrderCancelled(useCases.refundCancelledOrder),
    },
    {
      stream: Streams.store.name,
      durable: ORDER_REJECTED_CONSUMER,
      filterSubjects: ['fooddelivery.store.rejected'],
      handle: onOrderRejected(useCases.refundCancelledOrder),
    },
  ];
  return { useCases, subscriptions, bindings: [paymentServiceBinding(useCases)] };
}
