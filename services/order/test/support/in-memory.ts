import { Order } from '../../src/domain/order.js';
import type { Store } from '../../src/domain/store.js';
import type {
  Catalog,
  Clock,
  IdGenerator,
  OrderPage,
  OrderRepository,
  PaymentAttempts,
  PaymentGateway,
  PaymentOutcome,
  PaymentRequest,
} from '../../src/application/ports.js';
import { orderChangedConcurrently } from '../../src/domain/order.errors.js';

export class InMemoryOrderRepository implements OrderRepository {
  readonly stored = new Map<string, Order>();
  readonly events: string[] = [];
  failNextInsert: Error | undefined;

  async findById(orderId: string) {
    const order = this.stored.get(orderId);
    return order ? Order.restore({ ...order.snapshot() }) : undefined;
  }

  async insert(order: Order) {
    if (this.failNextInsert) {
      const error = this.failNextInsert;
      this.failNextInsert = undefined;
      throw error;
    }
    if (this.stored.has(order.id)) return false;
    this.stored.set(order.id, order);
    this.events.push(...order.newEvents().map((event) => event.type));
    return true;
  }

  async update(order: Order) {
    const current = this.stored.get(order.id);
    if (!current || current.snapshot().version !== order.snapshot().version - 1) throw orderChangedConcurrently(order.id);
    this.stored.set(order.id, order);
    this.events.push(...order.newEvents().map((event) => event.type));
  }

  async listByCustomer(customerId: string, limit: number, cursor?: string): Promise<OrderPage> {
    const all = [...this.stored.values()]
      .filter((order) => order.snapshot().customerId === customerId)
      .sort((a, b) => b.snapshot().placedAt.getTime() - a.snapshot().placedAt.getTime() || (a.id < b.id ? 1 : -1));
    const start = cursor ? Number(cursor) : 0;
    const orders = all.slice(start, start + limit);
    return start + limit < all.length ? { orders, nextCursor: String(start + limit) } : { orders };
  }
}

export class InMemoryCatalog implements Catalog {
  constructor(private readonly stores: Store[]) {}
  async listStores() {
    return this.stores;
  }
  async findStore(storeId: string) {
    return this.stores.find((store) => store.storeId === storeId);
  }
}

/** Approves every card except those starting with `tok_decline`; can be switched to fail. */
export class FakePaymentGateway implements PaymentGateway {
  readonly approvals: PaymentRequest[] = [];
  readonly refunds: Array<{ orderId: string; reason: string }> = [];
  failWith: Error | undefined;
  accepting = true;

  isAcceptingPayments() {
    return this.accepting;
  }

  async approve(request: PaymentRequest): Promise<PaymentOutcome> {
    if (this.failWith) throw this.failWith;
    this.approvals.push(request);
    if (request.cardToken.startsWith('tok_decline')) return { approved: false, reason: 'card declined' };
    return { approved: true, paymentId: `pay-${request.orderId}` };
  }

  async refund(orderId: string, reason: string) {
    this.refunds.push({ orderId, reason });
  }
}

export const fixedClock = (iso = '2026-11-24T12:00:00Z'): Clock => ({ now: () => new Date(iso) });

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

export class InMemoryPaymentAttempts implements PaymentAttempts {
  readonly open = new Map<string, Date>();
  async begin(orderId: string, at: Date) {
    if (!this.open.has(orderId)) this.open.set(orderId, at);
  }
  async finish(orderId: string) {
    this.open.delete(orderId);
  }
  async unsettled(before: Date, limit: number) {
    return [...this.open]
      .filter(([, at]) => at < before)
      .slice(0, limit)
      .map(([orderId]) => orderId);
  }
}
