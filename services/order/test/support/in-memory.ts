import { Order, type OrderChange } from '../../src/domain/order.js';
import type { OrderEvent } from '../../src/domain/events.js';
import type { Store } from '../../src/domain/store.js';
import {
  AbandonedOrder,
  type Catalog,
  type Clock,
  type IdGenerator,
  type OrderPage,
  type OrderRepository,
  type PaymentAttempt,
  type PaymentAttempts,
  type PaymentGateway,
  type PaymentOutcome,
  type PaymentRequest,
} from '../../src/application/ports.js';
import { orderChangedConcurrently, paymentTermsConflict } from '../../src/domain/order.errors.js';

type Entry = { change: OrderChange; token: string } | { abandoned: string; token: string };

/**
 * The order log in memory, with the stored adapter's rules: version n + 1 is written once, by
 * whoever appends it first; a new order is written under its payment attempt.
 */
export class InMemoryOrderLog implements OrderRepository, PaymentAttempts {
  readonly entries = new Map<string, Entry[]>();
  readonly openAttempts = new Map<string, PaymentAttempt>();
  /** Every event appended, in order: what the relay would publish. */
  readonly published: OrderEvent[] = [];
  failNextAppend: Error | undefined;
  private tokens = 0;

  async load(orderId: string): Promise<Order | AbandonedOrder | undefined> {
    const entries = this.entries.get(orderId);
    const first = entries?.[0];
    if (!entries || !first) return undefined;
    if ('abandoned' in first) return new AbandonedOrder(orderId, first.abandoned);
    return Order.fold(entries.map((entry) => ('change' in entry ? entry.change : undefined)));
  }

  async append(order: Order, attempt?: PaymentAttempt): Promise<void> {
    const pending = order.pendingChange();
    if (!pending) return;
    if (this.failNextAppend) {
      const error = this.failNextAppend;
      this.failNextAppend = undefined;
      throw error;
    }
    const entries = this.entries.get(order.id) ?? [];
    if (entries.length !== order.version - 1) throw orderChangedConcurrently(order.id);
    entries.push({ change: pending.change, token: attempt?.token ?? `t-${++this.tokens}` });
    this.entries.set(order.id, entries);
    // Every attempt for this order id is settled by the stored order (the stored adapter's sweep drops the others).
    if (attempt) for (const [k, open] of this.openAttempts) if (open.orderId === order.id) this.openAttempts.delete(k);
    this.published.push(...pending.events);
  }

  async refresh(order: Order): Promise<void> {
    const entries = this.entries.get(order.id) ?? [];
    for (let version = order.version + 1; version <= entries.length; version++) {
      const entry = entries[version - 1]!;
      order.advance(version, 'change' in entry ? entry.change : undefined);
    }
  }

  async listByCustomer(customerId: string, limit: number, cursor?: string): Promise<OrderPage> {
    const orders: Order[] = [];
    for (const orderId of this.entries.keys()) {
      const order = await this.load(orderId);
      if (order instanceof Order && order.snapshot().customerId === customerId) orders.push(order);
    }
    orders.sort((a, b) => b.snapshot().placedAt.getTime() - a.snapshot().placedAt.getTime() || (a.id < b.id ? 1 : -1));
    const start = cursor ? Number(cursor) : 0;
    const page = orders.slice(start, start + limit);
    return start + limit < orders.length ? { orders: page, nextCursor: String(start + limit) } : { orders: page };
  }

  async begin(orderId: string, at: Date): Promise<PaymentAttempt> {
    const attempt = { orderId, token: `a-${++this.tokens}`, begunAt: at };
    this.openAttempts.set(key(attempt), attempt);
    return attempt;
  }

  async abandon(attempt: PaymentAttempt, reason: string): Promise<'abandoned' | 'placed'> {
    const first = this.entries.get(attempt.orderId)?.[0];
    if (!first) {
      this.entries.set(attempt.orderId, [{ abandoned: reason, token: attempt.token }]);
      return 'abandoned';
    }
    return 'abandoned' in first ? 'abandoned' : 'placed';
  }

  async close(attempt: PaymentAttempt): Promise<void> {
    this.openAttempts.delete(key(attempt));
  }

  async stale(before: Date, limit: number): Promise<PaymentAttempt[]> {
    // What the stored adapter's relay sweep does: an attempt whose order was placed under another drops out.
    for (const [k, open] of this.openAttempts) {
      const first = this.entries.get(open.orderId)?.[0];
      if (first && 'change' in first && first.token !== open.token) this.openAttempts.delete(k);
    }
    return [...this.openAttempts.values()]
      .filter((attempt) => attempt.begunAt < before)
      .filter((attempt) => {
        const first = this.entries.get(attempt.orderId)?.[0];
        return !first || 'abandoned' in first;
      })
      .slice(0, limit);
  }

  /** The event types appended so far, in order. */
  eventTypes(): string[] {
    return this.published.map((event) => event.type);
  }
}

const key = (attempt: PaymentAttempt) => `${attempt.orderId}:${attempt.token}`;

export class InMemoryCatalog implements Catalog {
  constructor(private readonly stores: Store[]) {}
  async listStores() {
    return this.stores;
  }
  async findStore(storeId: string) {
    return this.stores.find((store) => store.storeId === storeId);
  }
}

/**
 * Approves every card except those starting with `tok_decline`; can be switched to fail. Like the
 * payment service, one payment per order id: asking again answers with that payment, or with a
 * terms conflict when the amount, store or items differ.
 */
export class FakePaymentGateway implements PaymentGateway {
  /** Every approval asked for. */
  readonly approvals: PaymentRequest[] = [];
  /** The payments made: approvals asked for an order id not seen before. */
  readonly charges: PaymentRequest[] = [];
  private readonly outcomes = new Map<string, PaymentOutcome>();
  readonly refunds: Array<{ orderId: string; reason: string }> = [];
  failWith: Error | undefined;
  refundFailsWith: Error | undefined;
  accepting = true;

  refusesNow() {
    return this.accepting ? undefined : { reason: 'circuit open', retryAfterSeconds: 5 };
  }

  async approve(request: PaymentRequest): Promise<PaymentOutcome> {
    if (this.failWith) throw this.failWith;
    this.approvals.push(request);
    const earlier = this.outcomes.get(request.orderId);
    if (earlier) {
      if (termsOf(this.charges.find((charge) => charge.orderId === request.orderId)!) !== termsOf(request)) throw paymentTermsConflict();
      return earlier;
    }
    this.charges.push(request);
    const outcome: PaymentOutcome = request.cardToken.startsWith('tok_decline')
      ? { approved: false, reason: 'card declined' }
      : { approved: true, paymentId: `pay-${request.orderId}` };
    this.outcomes.set(request.orderId, outcome);
    return outcome;
  }

  async refund(orderId: string, reason: string) {
    if (this.refundFailsWith) throw this.refundFailsWith;
    this.refunds.push({ orderId, reason });
    this.outcomes.set(orderId, { approved: false, reason: 'refunded' });
  }
}

const termsOf = (request: PaymentRequest) =>
  JSON.stringify([request.customerId, request.amount, request.storeId, request.items.map((item) => [item.menuItemId, item.quantity])]);

export const fixedClock = (iso = '2026-11-24T12:00:00Z'): Clock => ({ now: () => new Date(iso) });

/** A clock the test moves on. */
export function manualClock(iso = '2026-11-24T12:00:00Z') {
  let now = new Date(iso).getTime();
  return { now: () => new Date(now), advance: (ms: number) => (now += ms) };
}

export function sequentialIds(): IdGenerator {
  let next = 0;
  return { newId: () => `id-${++next}`, idFor: (...parts) => `key-${parts.join('/')}` };
}

const krw = (amountMinor: number) => ({ currencyCode: 'KRW', amountMinor });

export const chickenStore: Store = {
  storeId: 'store-chicken',
  name: 'Chicken',
  cuisine: 'korean',
  open: true,
  currencyCode: 'KRW',
  menu: [
    { menuItemId: 'fried', name: 'Fried chicken', price: krw(18000), available: true },
    { menuItemId: 'cola', name: 'Cola', price: krw(2500), available: true },
    { menuItemId: 'sold-out', name: 'Sold out', price: krw(1000), available: false },
  ],
};

export const closedStore: Store = { ...chickenStore, storeId: 'store-closed', open: false };
