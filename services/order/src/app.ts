import type { EventSubscription } from '@fooddelivery/adapters/jetstream';
import { Streams } from '@fooddelivery/adapters/streams';
import { CancelOrder } from './application/cancel-order.js';
import { FollowStore } from './application/follow-store.js';
import { GetMenu } from './application/get-menu.js';
import { GetOrder } from './application/get-order.js';
import { ListOrders } from './application/list-orders.js';
import { ListStores } from './application/list-stores.js';
import { PlaceOrder } from './application/place-order.js';
import type {
  Catalog,
  Clock,
  IdGenerator,
  OrderChangeWait,
  OrderRepository,
  PaymentAttempts,
  PaymentGateway,
} from './application/ports.js';
import { SettlePaymentAttempts } from './application/settle-payment-attempts.js';
import { FOLLOW_STORE_CONSUMER, followedStoreSubjects, onStoreEvent } from './adapters/events/follow-store.consumer.js';
import { orderServiceBinding } from './adapters/grpc/order.handlers.js';

/** What the ordering context needs from the outside world. */
export interface OrderPorts {
  orders: OrderRepository;
  attempts: PaymentAttempts;
  catalog: Catalog;
  payments: PaymentGateway;
  clock: Clock;
  ids: IdGenerator;
  orderChanges: OrderChangeWait;
}

export interface OrderSettings {
  /** How long a retry under the same idempotency key may still complete an order; then its payment is refunded. */
  settleAfterMs: number;
  /** How long CancelOrder waits for the store's decision. */
  cancelDecisionWaitMs: number;
}

/**
 * The ordering context wired to its ports: the use cases, the RPCs that serve them and the events
 * it subscribes to. main.ts passes the real adapters; tests and the saga simulation in-memory ones.
 */
export function buildApplication(ports: OrderPorts, settings: OrderSettings) {
  const settlement = new SettlePaymentAttempts(ports.attempts, ports.payments, ports.clock, {
    graceMs: settings.settleAfterMs,
    concurrency: 16,
  });
  const useCases = {
    listStores: new ListStores(ports.catalog),
    getMenu: new GetMenu(ports.catalog),
    placeOrder: new PlaceOrder(ports.orders, ports.catalog, ports.payments, ports.attempts, ports.clock, ports.ids, {
      retryWindowSeconds: Math.floor(settings.settleAfterMs / 1000),
    }),
    getOrder: new GetOrder(ports.orders),
    listOrders: new ListOrders(ports.orders),
    cancelOrder: new CancelOrder(ports.orders, ports.clock, ports.ids, { waitMs: settings.cancelDecisionWaitMs, wait: ports.orderChanges }),
    followStore: new FollowStore(ports.orders, ports.clock, ports.ids),
  };
  const subscriptions: EventSubscription[] = [
    {
      stream: Streams.store.name,
      durable: FOLLOW_STORE_CONSUMER,
      filterSubjects: followedStoreSubjects,
      handle: onStoreEvent(useCases.followStore),
    },
  ];
  return { useCases, settlement, subscriptions, bindings: [orderServiceBinding(useCases)] };
}
