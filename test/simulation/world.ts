import type { EventSubscription, OutgoingEvent, ReceivedEvent } from '@fooddelivery/adapters/jetstream';
import { createLogger } from '@fooddelivery/adapters/logger';
import { Streams } from '@fooddelivery/adapters/streams';
import { buildApplication as buildNotification } from '../../services/notification/src/app.js';
import type { OrderTracking } from '../../services/notification/src/domain/tracking.js';
import {
  FakeNotifier,
  InMemoryNotificationRepository,
  InMemoryTrackingBacklog,
  InMemoryTrackingRepository,
  roomyWatchLimits,
} from '../../services/notification/test/support/in-memory.js';
import { toOutgoingEvent as orderWire } from '../../services/order/src/adapters/persistence/order-event.mapper.js';
import { buildApplication as buildOrder } from '../../services/order/src/app.js';
import {
  AbandonedOrder,
  type PaymentGateway,
  type PaymentOutcome,
  type PaymentRequest,
} from '../../services/order/src/application/ports.js';
import { paymentUnavailable } from '../../services/order/src/domain/order.errors.js';
import { Order } from '../../services/order/src/domain/order.js';
import { InMemoryCatalog, InMemoryOrderLog } from '../../services/order/test/support/in-memory.js';
import { toOutgoingEvent as paymentWire } from '../../services/payment/src/adapters/persistence/payment-event.mapper.js';
import { buildApplication as buildPayment } from '../../services/payment/src/app.js';
import type { Payment } from '../../services/payment/src/domain/payment.js';
import { FakePaymentProvider, InMemoryPaymentRepository } from '../../services/payment/test/support/in-memory.js';
import { toOutgoingEvent as storeWire } from '../../services/store/src/adapters/persistence/store-event.mapper.js';
import { buildApplication as buildStore } from '../../services/store/src/app.js';
import type { StoreOrder, StoreOwnerAction } from '../../services/store/src/domain/store-order.js';
import { InMemoryStoreOrderRepository } from '../../services/store/test/support/in-memory.js';

export const STORE_ID = 'store-sim';
const orderService = { subject: 'order', role: 'service' as const };
const owner = { subject: 'owner', role: 'store_owner' as const, storeId: STORE_ID };

/** How a payment call goes, as the order service sees it. */
export type PaymentFault = 'none' | 'timeout-after-charge' | 'timeout-before-charge' | 'unreachable';
/** How the broker hands one message to a consumer. */
export type Delivery = 'ack' | 'duplicate' | 'crash-before-ack';

interface StreamMessage {
  seq: number;
  event: OutgoingEvent;
}

/** A durable consumer: its position in the stream and the messages handed out but not acknowledged. */
interface SimulatedConsumer {
  subscription: EventSubscription;
  service: string;
  next: number;
  unacked: number[];
  deliveries: Map<number, number>;
}

/**
 * The four services' application cores, wired with in-memory ports as their composition roots
 * wire the real ones (`buildApplication`), around a broker that delivers at least once: it may
 * hand a message out twice, lose an ack (a consumer that crashed between its effect and its ack,
 * so the message comes again), and lets every consumer run at its own pace, which reorders events
 * across streams. Events are published from each service's outbox only when the world says so.
 */
export class World {
  now = new Date('2026-12-01T12:00:00Z').getTime();
  readonly clock = { now: () => new Date(this.now) };
  private sequence = 0;
  private readonly ids = {
    newId: () => `id-${++this.sequence}`,
    idFor: (...parts: string[]) =>
      `key:${parts
        .join('.')
        .replace(/[^A-Za-z0-9._:-]/g, '-')
        .slice(0, 60)}`,
  };

  readonly orderLog = new InMemoryOrderLog();
  readonly paymentRepo = new InMemoryPaymentRepository();
  readonly storeRepo = new InMemoryStoreOrderRepository();
  readonly trackings = new InMemoryTrackingRepository();
  readonly notifications = new InMemoryNotificationRepository();
  readonly provider = new FakePaymentProvider();

  readonly payment = buildPayment({ payments: this.paymentRepo, provider: this.provider, clock: this.clock, ids: this.ids });
  readonly store = buildStore({ orders: this.storeRepo, clock: this.clock, ids: this.ids });
  readonly notification = buildNotification(
    {
      trackings: this.trackings,
      backlog: new InMemoryTrackingBacklog(),
      notifications: this.notifications,
      notifier: new FakeNotifier(),
      clock: this.clock,
      logger: createLogger('simulation', 'silent'),
    },
    { language: 'en', backoffMs: [1_000], maxAttempts: 3, leaseMs: 10_000, watch: roomyWatchLimits },
    new AbortController().signal,
  );
  readonly paymentChannel = new SimulatedPaymentChannel(this);
  /** Steps the world takes while CancelOrder waits for the store's decision (set per command). */
  stepsWhileWaiting: Array<() => Promise<void>> = [];
  readonly order = buildOrder(
    {
      orders: this.orderLog,
      attempts: this.orderLog,
      catalog: new InMemoryCatalog([
        {
          storeId: STORE_ID,
          name: 'Simulated',
          cuisine: 'any',
          open: true,
          currencyCode: 'KRW',
          menu: [{ menuItemId: 'dish', name: 'Dish', price: { currencyCode: 'KRW', amountMinor: 10_000 }, available: true }],
        },
      ]),
      payments: this.paymentChannel,
      clock: this.clock,
      ids: this.ids,
      orderChanges: {
        until: async (_orderId, ms) => {
          this.now += ms;
          await this.stepsWhileWaiting.shift()?.();
        },
      },
    },
    { settleAfterMs: 60_000, cancelDecisionWaitMs: 3_000 },
  );

  readonly streams: Record<string, StreamMessage[]> = { [Streams.order.name]: [], [Streams.payment.name]: [], [Streams.store.name]: [] };
  private readonly seen = new Set<string>();
  private published = { order: 0, payment: 0, store: 0 };
  readonly consumers: SimulatedConsumer[] = [
    ...this.order.subscriptions.map((subscription) => consumer('order', subscription)),
    ...this.payment.subscriptions.map((subscription) => consumer('payment', subscription)),
    ...this.store.subscriptions.map((subscription) => consumer('store', subscription)),
    ...this.notification.subscriptions.map((subscription) => consumer('notification', subscription)),
  ];

  /** What clients were told, for the invariants. */
  readonly told = { placed: new Set<string>(), cancels: new Map<string, 'cancelled' | 'refused' | 'requested'>() };

  async place(
    customer: number,
    options: { key?: string | undefined; card: string; fault: PaymentFault; storeWriteFails: boolean },
  ): Promise<void> {
    this.paymentChannel.nextFault = options.fault;
    if (options.storeWriteFails) this.orderLog.failNextAppend = new Error('the order database is down');
    try {
      const order = await this.order.useCases.placeOrder.execute(
        { subject: `c-${customer}`, role: 'customer' },
        {
          customerId: '',
          storeId: STORE_ID,
          lines: [{ menuItemId: 'dish', quantity: 1 }],
          deliveryAddress: 'Somewhere 1',
          cardToken: options.card,
          idempotencyKey: options.key ?? '',
        },
      );
      this.told.placed.add(order.id);
    } catch {
      // declined, unavailable, not stored: nothing promised
    } finally {
      this.paymentChannel.nextFault = 'none';
      this.orderLog.failNextAppend = undefined;
    }
  }

  async cancel(orderIndex: number, stepsWhileWaiting: number): Promise<void> {
    const orderId = this.pick(orderIndex);
    if (!orderId) return;
    this.stepsWhileWaiting = Array.from({ length: stepsWhileWaiting }, () => () => this.settleSome(3));
    const customerId = (await this.storeOrOrderCustomer(orderId)) ?? '';
    try {
      const order = await this.order.useCases.cancelOrder.execute({ subject: customerId, role: 'customer' }, orderId, 'changed my mind');
      this.told.cancels.set(orderId, order.status === 'cancelled' ? 'cancelled' : 'requested');
    } catch (error) {
      if ((error as { code?: string }).code === 'ORDER.CANNOT_CANCEL') this.told.cancels.set(orderId, 'refused');
    } finally {
      this.stepsWhileWaiting = [];
    }
  }

  /** The store owner takes the next step with an order the store has (accept, cook, deliver, complete), or rejects it. */
  async ownerAdvances(orderIndex: number, reject: boolean): Promise<void> {
    const orderId = this.pick(orderIndex);
    const storeOrder = orderId ? await this.storeRepo.find(orderId) : undefined;
    if (!storeOrder) return;
    const next: Partial<Record<string, StoreOwnerAction>> = {
      received: 'accept',
      accepted: 'startCooking',
      cooking: 'startDelivery',
      delivering: 'completeDelivery',
    };
    const action = reject ? 'reject' : next[storeOrder.status];
    if (action) await this.ownerActs(orderIndex, action);
  }

  async ownerActs(orderIndex: number, action: StoreOwnerAction): Promise<void> {
    const orderId = this.pick(orderIndex);
    if (!orderId) return;
    await this.store.useCases.actOnStoreOrder.execute(owner, action, STORE_ID, orderId, 'kitchen closed').catch(() => undefined);
  }

  /** An approval that was still on its way when the order gave up waiting arrives now. */
  async lateApprovalArrives(index: number): Promise<void> {
    await this.paymentChannel.arrive(index);
  }

  async advanceAndSettle(ms: number): Promise<void> {
    this.now += ms;
    await this.order.settlement.execute().catch(() => undefined);
  }

  /** Moves committed events from the services' outboxes to their streams (JetStream drops a repeated event id). */
  publish(): void {
    const orderEvents = this.orderLog.published.slice(this.published.order).map(orderWire);
    this.published.order = this.orderLog.published.length;
    const storeEvents = this.storeRepo.outbox.slice(this.published.store).map(storeWire);
    this.published.store = this.storeRepo.outbox.length;
    const paymentEvents = this.paymentRepo.unpublished().map(paymentWire);
    for (const event of [...orderEvents, ...storeEvents, ...paymentEvents]) {
      if (this.seen.has(event.eventId)) continue;
      this.seen.add(event.eventId);
      const stream = Object.values(Streams).find((candidate) => event.subject.startsWith(candidate.subjects[0].replace('>', '')))!;
      const messages = this.streams[stream.name]!;
      messages.push({ seq: messages.length + 1, event });
    }
  }

  /** One delivery to one consumer (picked by index), if it has anything to deliver. */
  async deliver(consumerIndex: number, how: Delivery): Promise<void> {
    const consumer = this.consumers[consumerIndex % this.consumers.length]!;
    const message = this.nextFor(consumer);
    if (!message) return;
    const deliveries = (consumer.deliveries.get(message.seq) ?? 0) + 1;
    consumer.deliveries.set(message.seq, deliveries);
    if (deliveries > 50)
      throw new Error(`${consumer.subscription.durable} cannot handle ${message.event.subject} of ${message.event.orderId}`);
    const received: ReceivedEvent = {
      subject: message.event.subject,
      eventType: message.event.eventType,
      eventId: message.event.eventId,
      orderId: message.event.orderId,
      payload: message.event.payload,
      deliveryCount: deliveries,
      ...(message.event.causationId && { causationId: message.event.causationId }),
    };
    let handled = true;
    try {
      await consumer.subscription.handle(received);
      if (how === 'duplicate') await consumer.subscription.handle({ ...received, deliveryCount: deliveries + 1 });
    } catch {
      handled = false; // nak: delivered again later
    }
    if (handled && how !== 'crash-before-ack') consumer.unacked = consumer.unacked.filter((seq) => seq !== message.seq);
  }

  /** A few deliveries, each to the consumer with the most waiting, acknowledged. */
  async settleSome(count: number): Promise<void> {
    for (let i = 0; i < count; i++) {
      this.publish();
      const busiest = this.consumers
        .map((consumer, index) => ({ index, waiting: this.waiting(consumer) }))
        .sort((a, b) => b.waiting - a.waiting)[0];
      if (!busiest || busiest.waiting === 0) return;
      await this.deliver(busiest.index, 'ack');
    }
  }

  /** Everything delivered and acknowledged, every attempt past its grace settled, until nothing moves. */
  async quiesce(): Promise<void> {
    for (let round = 0; round < 10_000; round++) {
      this.publish();
      const busy = this.consumers.findIndex((consumer) => this.waiting(consumer) > 0);
      if (busy >= 0) {
        await this.deliver(busy, 'ack');
        continue;
      }
      await this.paymentChannel.arriveAll();
      await this.advanceAndSettle(120_000);
      this.publish();
      if (
        this.consumers.every((consumer) => this.waiting(consumer) === 0) &&
        this.orderLog.openAttempts.size === 0 &&
        this.paymentChannel.inFlight() === 0
      )
        return;
    }
    throw new Error('the system never became quiet');
  }

  /** Every order id the world ever saw: placed, paid or known to the store. */
  async allOrderIds(): Promise<string[]> {
    const ids = new Set<string>([...this.orderLog.entries.keys(), ...this.storeRepo.rows.keys(), ...this.paymentRepo.orderIds()]);
    return [...ids];
  }

  async stateOf(orderId: string): Promise<{
    order: Order | AbandonedOrder | undefined;
    payment: Payment | undefined;
    storeOrder: StoreOrder | undefined;
    tracking: OrderTracking | undefined;
    deliveryStarted: boolean;
  }> {
    return {
      order: await this.orderLog.load(orderId),
      payment: await this.paymentRepo.findByOrderId(orderId),
      storeOrder: await this.storeRepo.find(orderId),
      tracking: (await this.trackings.find(orderId))?.value,
      deliveryStarted: this.storeRepo.outbox.some((event) => event.orderId === orderId && event.type === 'DeliveryStarted'),
    };
  }

  private pick(index: number): string | undefined {
    const ids = [...this.orderLog.entries.keys()];
    return ids.length === 0 ? undefined : ids[index % ids.length];
  }

  private async storeOrOrderCustomer(orderId: string): Promise<string | undefined> {
    const order = await this.orderLog.load(orderId);
    return order instanceof Order ? order.snapshot().customerId : undefined;
  }

  private waiting(consumer: SimulatedConsumer): number {
    return consumer.unacked.length + this.matching(consumer).filter((message) => message.seq >= consumer.next).length;
  }

  private matching(consumer: SimulatedConsumer): StreamMessage[] {
    return this.streams[consumer.subscription.stream]!.filter((message) =>
      consumer.subscription.filterSubjects.includes(message.event.subject),
    );
  }

  /** A message handed out before and not acknowledged comes first; then the next new one. */
  private nextFor(consumer: SimulatedConsumer): StreamMessage | undefined {
    const stream = this.streams[consumer.subscription.stream]!;
    const redelivery = consumer.unacked[0];
    if (redelivery !== undefined) {
      consumer.unacked = [...consumer.unacked.slice(1), redelivery];
      return stream[redelivery - 1];
    }
    const next = this.matching(consumer).find((message) => message.seq >= consumer.next);
    if (!next) return undefined;
    consumer.next = next.seq + 1;
    consumer.unacked.push(next.seq);
    return next;
  }
}

function consumer(service: string, subscription: EventSubscription): SimulatedConsumer {
  return { service, subscription, next: 1, unacked: [], deliveries: new Map() };
}

/**
 * The order service's payment client, calling the payment context's own use case, with the
 * faults a network adds: an answer lost after the charge, a request still on its way when the
 * order gave up (it arrives later, maybe after the order's refund voided it), or no connection.
 */
class SimulatedPaymentChannel implements PaymentGateway {
  nextFault: PaymentFault = 'none';
  private readonly late: PaymentRequest[] = [];

  constructor(private readonly world: World) {}

  refusesNow(): undefined {
    return undefined;
  }

  async approve(request: PaymentRequest): Promise<PaymentOutcome> {
    switch (this.nextFault) {
      case 'unreachable':
        throw paymentUnavailable('not reachable', 1);
      case 'timeout-before-charge':
        this.late.push(request);
        throw paymentUnavailable('timed out', 1, true);
      case 'timeout-after-charge':
        await this.call(request);
        throw paymentUnavailable('timed out', 1, true);
      case 'none':
        return this.call(request);
    }
  }

  async refund(orderId: string, reason: string): Promise<void> {
    await this.world.payment.useCases.refundPayment.execute({ subject: 'order', role: 'service' }, orderId, reason);
  }

  async arrive(index: number): Promise<void> {
    if (this.late.length === 0) return;
    const [request] = this.late.splice(index % this.late.length, 1);
    await this.call(request!).catch(() => undefined);
  }

  async arriveAll(): Promise<void> {
    while (this.late.length > 0) await this.arrive(0);
  }

  inFlight(): number {
    return this.late.length;
  }

  private async call(request: PaymentRequest): Promise<PaymentOutcome> {
    const payment = await this.world.payment.useCases.approvePayment.execute(orderService, {
      orderId: request.orderId,
      customerId: request.customerId,
      amount: request.amount,
      cardToken: request.cardToken,
      storeId: request.storeId,
      items: request.items,
      deliveryAddress: request.deliveryAddress,
    });
    const state = payment.snapshot();
    return state.status === 'approved' ? { approved: true, paymentId: state.paymentId } : { approved: false, reason: state.statusReason };
  }
}
