import { OrderStatus, CancellationStatus, type Order } from '@fooddelivery/gen/fooddelivery/order/v1/order';
import type { OrderServiceClient } from '@fooddelivery/gen/fooddelivery/order/v1/order_service';
import { PaymentStatus, type Payment } from '@fooddelivery/gen/fooddelivery/payment/v1/payment';
import { PaymentApproved } from '@fooddelivery/gen/fooddelivery/payment/v1/payment_events';
import type { PaymentServiceClient } from '@fooddelivery/gen/fooddelivery/payment/v1/payment_service';
import { TrackingStatus } from '@fooddelivery/gen/fooddelivery/notification/v1/tracking';
import type { TrackingServiceClient } from '@fooddelivery/gen/fooddelivery/notification/v1/tracking_service';
import { StoreOrderStatus, type StoreOrder } from '@fooddelivery/gen/fooddelivery/store/v1/store_order';
import type { StoreServiceClient } from '@fooddelivery/gen/fooddelivery/store/v1/store_service';
import { status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { streamEvents } from './events.js';
import { call } from './grpc-clients.js';

/** What a client was told when it asked to cancel. */
export type CancelAnswer = 'cancelled' | 'refused' | 'requested';

export interface ReconcileInput {
  clients: { order: OrderServiceClient; payment: PaymentServiceClient; store: StoreServiceClient; tracking: TrackingServiceClient };
  /** Sent as call metadata, e.g. an administrator's authorization header. */
  metadata?: Record<string, string>;
  natsUrl: string;
  /** Orders whose PlaceOrder answered success. */
  accepted: string[];
  /** CancelOrder answers, by order id. */
  cancels: Map<string, CancelAnswer>;
  storeIds: string[];
}

export interface Reconciliation {
  accepted: number;
  /** Accepted orders a service does not know (or shows in a state that disagrees, for the order itself). */
  missing: { order: string[]; payment: string[]; store: string[]; tracking: string[] };
  /** Store orders listed twice, and messages with the same event id in a stream. */
  duplicates: number;
  /** Approved payments and live store orders without an accepted order. */
  orphans: { payments: string[]; storeOrders: string[] };
  violations: { I1: string[]; I2: string[]; I3: string[]; I4: string[] };
}

/**
 * Reads every accepted order from all four services through their public APIs (the streams,
 * which are part of the contract, to find every payment and every delivery started) and checks
 * the saga's invariants (docs/saga.md). Call it once the system is quiet.
 */
export async function reconcile(input: ReconcileInput): Promise<Reconciliation> {
  const { clients, metadata = {} } = input;
  const options = { metadata, timeoutMs: 30_000 };
  const result: Reconciliation = {
    accepted: input.accepted.length,
    missing: { order: [], payment: [], store: [], tracking: [] },
    duplicates: 0,
    orphans: { payments: [], storeOrders: [] },
    violations: { I1: [], I2: [], I3: [], I4: [] },
  };

  const storeOrders = new Map<string, StoreOrder>();
  for (const storeId of input.storeIds) {
    for (let pageToken = ''; ; ) {
      const page = (await found(() =>
        call(clients.store.listStoreOrders.bind(clients.store), { storeId, status: 0, pageSize: 100, pageToken }, options),
      ))!;
      for (const order of page.orders) {
        if (storeOrders.has(order.orderId)) result.duplicates++;
        storeOrders.set(order.orderId, order);
      }
      if (!page.nextPageToken) break;
      pageToken = page.nextPageToken;
    }
  }
  const [orderStream, paymentStream, storeStream] = await Promise.all(
    ['FOODDELIVERY_ORDER', 'FOODDELIVERY_PAYMENT', 'FOODDELIVERY_STORE'].map((stream) => streamEvents(input.natsUrl, stream)),
  );
  for (const events of [orderStream!, paymentStream!, storeStream!]) {
    result.duplicates += events.length - new Set(events.map((event) => event.eventId)).size;
  }
  const deliveryStarted = new Set(
    storeStream!.filter((event) => event.subject === 'fooddelivery.store.delivery_started').map((event) => event.orderId),
  );

  const orders = new Map<string, Order>();
  const payments = new Map<string, Payment>();
  const acceptedSet = new Set(input.accepted);
  await inBatches(input.accepted, 8, async (orderId) => {
    const order = await found(() => call(clients.order.getOrder.bind(clients.order), { orderId }, options));
    if (order?.order) orders.set(orderId, order.order);
    else result.missing.order.push(orderId);
    const payment = await found(() => call(clients.payment.getPayment.bind(clients.payment), { orderId }, options));
    if (payment?.payment) payments.set(orderId, payment.payment);
    else result.missing.payment.push(orderId);
    if (!storeOrders.has(orderId)) result.missing.store.push(orderId);
    const tracking = await found(() => call(clients.tracking.getOrderTracking.bind(clients.tracking), { orderId }, options));
    if (!tracking?.tracking) result.missing.tracking.push(orderId);
    const order_ = order?.order;
    if (!order_ || !payment?.payment || !storeOrders.has(orderId) || !tracking?.tracking) return;
    const disagreement = disagree(order_, payment.payment, storeOrders.get(orderId)!, tracking.tracking.status);
    if (disagreement) result.violations.I4.push(`${orderId}: ${disagreement}`);
  });

  // I1: an approved payment has a live order.
  const paid = new Set(
    paymentStream!
      .filter((event) => event.subject === 'fooddelivery.payment.approved')
      .map((event) => PaymentApproved.decode(event.data).orderId),
  );
  await inBatches([...paid], 8, async (orderId) => {
    const payment =
      payments.get(orderId) ?? (await found(() => call(clients.payment.getPayment.bind(clients.payment), { orderId }, options)))?.payment;
    if (payment?.status !== PaymentStatus.PAYMENT_STATUS_APPROVED) return;
    const order = orders.get(orderId) ?? (await found(() => call(clients.order.getOrder.bind(clients.order), { orderId }, options)))?.order;
    if (!acceptedSet.has(orderId) && !order) result.orphans.payments.push(orderId);
    if (!order) result.violations.I1.push(`${orderId}: approved payment, no order`);
    else if (order.status === OrderStatus.ORDER_STATUS_CANCELLED || order.status === OrderStatus.ORDER_STATUS_REJECTED) {
      result.violations.I1.push(`${orderId}: approved payment, order ${OrderStatus[order.status]}`);
    }
  });

  // I2: no delivery for a refunded payment.
  await inBatches([...deliveryStarted], 8, async (orderId) => {
    const payment =
      payments.get(orderId) ?? (await found(() => call(clients.payment.getPayment.bind(clients.payment), { orderId }, options)))?.payment;
    if (payment?.status === PaymentStatus.PAYMENT_STATUS_REFUNDED)
      result.violations.I2.push(`${orderId}: delivery started, payment refunded`);
  });
  for (const [orderId, storeOrder] of storeOrders) {
    const live =
      storeOrder.status !== StoreOrderStatus.STORE_ORDER_STATUS_CANCELLED &&
      storeOrder.status !== StoreOrderStatus.STORE_ORDER_STATUS_REJECTED;
    if (live && !acceptedSet.has(orderId) && !(await found(() => call(clients.order.getOrder.bind(clients.order), { orderId }, options)))) {
      result.orphans.storeOrders.push(orderId);
    }
  }

  // I3: honest answers to CancelOrder.
  for (const [orderId, answer] of input.cancels) {
    const order = orders.get(orderId);
    const payment = payments.get(orderId);
    const storeOrder = storeOrders.get(orderId);
    if (!order) continue;
    const delivered = deliveryStarted.has(orderId) || storeOrder?.status === StoreOrderStatus.STORE_ORDER_STATUS_DELIVERING;
    if (answer === 'cancelled' && (payment?.status !== PaymentStatus.PAYMENT_STATUS_REFUNDED || delivered)) {
      result.violations.I3.push(
        `${orderId}: told CANCELLED, payment ${PaymentStatus[payment?.status ?? 0]}, delivery started ${delivered}`,
      );
    }
    if (answer === 'refused' && order.status === OrderStatus.ORDER_STATUS_CANCELLED) {
      result.violations.I3.push(`${orderId}: told the cancellation was refused, order CANCELLED`);
    }
    if (answer === 'requested' && order.cancellationStatus === CancellationStatus.CANCELLATION_STATUS_REQUESTED) {
      result.violations.I3.push(`${orderId}: the cancellation was never decided`);
    }
  }
  return result;
}

/** The order, payment, store and tracking states that go together once an order is quiet; a description of the mismatch otherwise. */
function disagree(order: Order, payment: Payment, storeOrder: StoreOrder, tracking: TrackingStatus): string | undefined {
  const expected: Partial<Record<OrderStatus, [StoreOrderStatus, PaymentStatus, TrackingStatus[]]>> = {
    [OrderStatus.ORDER_STATUS_PAID]: [
      StoreOrderStatus.STORE_ORDER_STATUS_RECEIVED,
      PaymentStatus.PAYMENT_STATUS_APPROVED,
      [TrackingStatus.TRACKING_STATUS_PAID],
    ],
    [OrderStatus.ORDER_STATUS_ACCEPTED]: [
      StoreOrderStatus.STORE_ORDER_STATUS_ACCEPTED,
      PaymentStatus.PAYMENT_STATUS_APPROVED,
      [TrackingStatus.TRACKING_STATUS_ACCEPTED],
    ],
    [OrderStatus.ORDER_STATUS_COOKING]: [
      StoreOrderStatus.STORE_ORDER_STATUS_COOKING,
      PaymentStatus.PAYMENT_STATUS_APPROVED,
      [TrackingStatus.TRACKING_STATUS_COOKING],
    ],
    [OrderStatus.ORDER_STATUS_DELIVERING]: [
      StoreOrderStatus.STORE_ORDER_STATUS_DELIVERING,
      PaymentStatus.PAYMENT_STATUS_APPROVED,
      [TrackingStatus.TRACKING_STATUS_DELIVERING],
    ],
    [OrderStatus.ORDER_STATUS_DELIVERED]: [
      StoreOrderStatus.STORE_ORDER_STATUS_DELIVERED,
      PaymentStatus.PAYMENT_STATUS_APPROVED,
      [TrackingStatus.TRACKING_STATUS_DELIVERED],
    ],
    [OrderStatus.ORDER_STATUS_CANCELLED]: [
      StoreOrderStatus.STORE_ORDER_STATUS_CANCELLED,
      PaymentStatus.PAYMENT_STATUS_REFUNDED,
      [TrackingStatus.TRACKING_STATUS_REFUNDED],
    ],
    [OrderStatus.ORDER_STATUS_REJECTED]: [
      StoreOrderStatus.STORE_ORDER_STATUS_REJECTED,
      PaymentStatus.PAYMENT_STATUS_REFUNDED,
      [TrackingStatus.TRACKING_STATUS_REFUNDED],
    ],
  };
  const want = expected[order.status];
  const seen = `order ${OrderStatus[order.status]}, store ${StoreOrderStatus[storeOrder.status]}, payment ${PaymentStatus[payment.status]}, tracking ${TrackingStatus[tracking]}`;
  if (!want) return seen;
  if (order.cancellationStatus === CancellationStatus.CANCELLATION_STATUS_REQUESTED) return `${seen}, cancellation still requested`;
  const [store, pay, track] = want;
  return storeOrder.status === store && payment.status === pay && track.includes(tracking) ? undefined : seen;
}

/** The answer, undefined for NOT_FOUND; "not now" answers are asked again a few times, as a client would. */
async function found<T>(send: () => Promise<T>): Promise<T | undefined> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (error) {
      const code = (error as ServiceError).code;
      if (code === GrpcStatus.NOT_FOUND) return undefined;
      if (attempt >= 5 || (code !== GrpcStatus.UNAVAILABLE && code !== GrpcStatus.DEADLINE_EXCEEDED)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
    }
  }
}

async function inBatches<T>(items: T[], size: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(size, items.length) }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

/** A one-line summary, and whether it is all zeros. */
export function summary(result: Reconciliation): { line: string; clean: boolean } {
  const missing = Object.entries(result.missing).map(([service, ids]) => `${service} ${ids.length}`);
  const violations = Object.entries(result.violations).map(([name, ids]) => `${name} ${ids.length}`);
  const counts = [
    ...Object.values(result.missing),
    ...Object.values(result.violations),
    result.orphans.payments,
    result.orphans.storeOrders,
  ].map((ids) => ids.length);
  return {
    line: `accepted ${result.accepted}; missing: ${missing.join(', ')}; duplicates ${result.duplicates}; orphans: payments ${result.orphans.payments.length}, store orders ${result.orphans.storeOrders.length}; violations: ${violations.join(', ')}`,
    clean: result.duplicates === 0 && counts.every((count) => count === 0),
  };
}
