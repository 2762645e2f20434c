import type { EventSubscription } from '@fooddelivery/adapters/jetstream';
import { Streams } from '@fooddelivery/adapters/streams';
import { DecideCancellation } from './application/decide-cancellation.js';
import type { Clock, IdGenerator, StoreOrderRepository } from './application/ports.js';
import { ReceivePlacedOrder } from './application/receive-placed-order.js';
import { StopRefundedOrder } from './application/stop-refunded-order.js';
import { ActOnStoreOrder } from './application/act-on-store-order.js';
import { ListStoreOrders } from './application/list-store-orders.js';
import { FOLLOW_ORDERS_CONSUMER, followedOrderSubjects, onOrderEvent } from './adapters/events/follow-orders.consumer.js';
import { onPaymentRefunded, STOP_REFUNDED_CONSUMER } from './adapters/events/stop-refunded-order.consumer.js';
import { storeServiceBinding } from './adapters/grpc/store.handlers.js';

/** What the store context needs from the outside world. */
export interface StorePorts {
  orders: StoreOrderRepository;
  clock: Clock;
  ids: IdGenerator;
}

/**
 * The store context wired to its ports: the store owner's use cases, the RPCs that serve them and
 * the events it subscribes to. main.ts passes the real adapters; tests and the saga simulation
 * in-memory ones.
 */
export function buildApplication(ports: StorePorts) {
  const useCases = {
    actOnStoreOrder: new ActOnStoreOrder(ports.orders, ports.clock, ports.ids),
    listStoreOrders: new ListStoreOrders(ports.orders),
    receivePlacedOrder: new ReceivePlacedOrder(ports.orders, ports.clock),
    decideCancellation: new DecideCancellation(ports.orders, ports.clock, ports.ids),
    stopRefundedOrder: new StopRefundedOrder(ports.orders, ports.clock, ports.ids),
  };
  const subscriptions: EventSubscription[] = [
    {
      stream: Streams.order.name,
      durable: FOLLOW_ORDERS_CONSUMER,
      filterSubjects: followedOrderSubjects,
      handle: onOrderEvent(useCases.receivePlacedOrder, useCases.decideCancellation),
    },
    {
      stream: Streams.payment.name,
      durable: STOP_REFUNDED_CONSUMER,
      filterSubjects: ['fooddelivery.payment.refunded'],
      handle: onPaymentRefunded(useCases.stopRefundedOrder),
    },
  ];
  return { useCases, subscriptions, bindings: [storeServiceBinding(useCases)] };
}
