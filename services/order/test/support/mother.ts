import { Order, type OrderChange, type OrderDetails } from '../../src/domain/order.js';

export const placedAt = new Date('2026-11-24T12:00:00Z');

export const orderDetails = (overrides: Partial<OrderDetails> = {}): OrderDetails => ({
  orderId: 'o-1',
  customerId: 'c-1',
  storeId: 's-1',
  items: [],
  total: { currencyCode: 'KRW', amountMinor: 1000 },
  deliveryAddress: 'Seoul',
  paymentId: 'p-1',
  requestFingerprint: 'f-1',
  ...overrides,
});

/** An order whose log is `placed`, then `changes`, as loaded from storage (nothing pending). */
export function orderAfter(...changes: OrderChange[]): Order {
  const order = Order.fold([{ type: 'placed', at: placedAt, details: orderDetails() }, ...changes]);
  if (!order) throw new Error('no order');
  return order;
}

export const progressed = (step: 'accepted' | 'cooking' | 'delivering' | 'delivered'): OrderChange => ({
  type: 'store_progressed',
  at: placedAt,
  step,
});

/** The order loaded after reaching the store step `step`. */
export function orderAt(step: 'paid' | 'accepted' | 'cooking' | 'delivering' | 'delivered'): Order {
  const steps = (['accepted', 'cooking', 'delivering', 'delivered'] as const).slice(
    0,
    ['paid', 'accepted', 'cooking', 'delivering', 'delivered'].indexOf(step),
  );
  return orderAfter(...steps.map(progressed));
}
