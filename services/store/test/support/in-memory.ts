import { StoreOrder } from '../../src/domain/store-order.js';
import { changedConcurrently } from '../../src/domain/store-order.errors.js';
import type { Clock, HandledEvent, IdGenerator, StoreOrderPage, StoreOrderRepository } from '../../src/application/ports.js';
import type { StoreEvent, StoreOrderStatus } from '../../src/domain/store-order.js';

/** Behaves like the SQL repository: a write on a stale order is refused; the handled event is kept with its effect. */
export class InMemoryStoreOrderRepository implements StoreOrderRepository {
  readonly rows = new Map<string, StoreOrder>();
  readonly handled = new Set<string>();
  /** Every event stored, in order (the outbox). */
  readonly outbox: StoreEvent[] = [];

  /** Types of all events stored, in order. */
  get events(): string[] {
    return this.outbox.map((event) => event.type);
  }

  async find(orderId: string) {
    await tick();
    const order = this.rows.get(orderId);
    return order ? StoreOrder.restore(structuredClone(order.snapshot())) : undefined;
  }

  async save(order: StoreOrder, handled?: HandledEvent) {
    await tick();
    if (handled && this.handled.has(`${handled.consumer}/${handled.eventId}`)) return false;
    const state = order.snapshot();
    const current = this.rows.get(state.orderId);
    if (state.version === 1 ? current !== undefined : current?.snapshot().version !== state.version - 1)
      throw changedConcurrently(state.orderId);
    this.rows.set(state.orderId, StoreOrder.restore(structuredClone(state)));
    this.outbox.push(...order.newEvents());
    if (handled) this.handled.add(`${handled.consumer}/${handled.eventId}`);
    return true;
  }

  async list(storeId: string, status: StoreOrderStatus | undefined, limit: number, cursor?: string): Promise<StoreOrderPage> {
    const all = [...this.rows.values()]
      .filter((order) => order.snapshot().storeId === storeId && (!status || order.status === status))
      .sort((a, b) => b.snapshot().receivedAt.getTime() - a.snapshot().receivedAt.getTime() || (a.id < b.id ? 1 : -1));
    const start = cursor ? Number(cursor) : 0;
    const orders = all.slice(start, start + limit);
    return start + limit < all.length ? { orders, nextCursor: String(start + limit) } : { orders };
  }
}

/** Lets other calls run in between, as a real database round trip would. */
const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

export const fixedClock = (iso = '2026-11-24T12:00:00Z'): Clock => ({ now: () => new Date(iso) });

export function sequentialIds(prefix = 'id'): IdGenerator {
  let next = 0;
  return { newId: () => `${prefix}-${++next}`, idFor: (...parts) => `${prefix}-${parts.join('.')}` };
}

export const placedOrder = (orderId = 'o-1') => ({
  orderId,
  storeId: 's-1',
  customerId: 'c-1',
  items: [{ menuItemId: 'mandu', name: 'Dumplings', quantity: 2, unitPrice: krw(6000), lineTotal: krw(12000) }],
  total: krw(12000),
  deliveryAddress: 'Busan',
});

const krw = (amountMinor: number) => ({ currencyCode: 'KRW', amountMinor });
