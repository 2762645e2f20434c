import type { StatusChange, TrackingStatus } from '../../src/domain/tracking.js';

const base = Date.parse('2025-05-01T12:00:00Z');

/** Minutes after the order was placed at which each step happens in a typical order. */
export const minuteOf: Record<TrackingStatus, number> = {
  paid: 0,
  accepted: 2,
  cooking: 5,
  delivering: 20,
  delivered: 35,
  cancelled: 3,
  rejected: 3,
  refunded: 4,
};

/** A status change of order `o-1` (customer `c-1`, store `s-1`, 38,500 KRW) as its event would report it. */
export function aChange(status: TrackingStatus, overrides: Partial<StatusChange> = {}): StatusChange {
  return {
    orderId: 'o-1',
    status,
    occurredAt: new Date(base + minuteOf[status] * 60_000),
    customerId: 'c-1',
    storeId: status === 'refunded' ? '' : 's-1',
    total: { currencyCode: 'KRW', amountMinor: 38_500 },
    reason: status === 'cancelled' ? 'changed my mind' : status === 'rejected' ? 'out of chicken' : '',
    ...overrides,
  };
}

/** Every ordering of `items`. */
export function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, index) => permutations([...items.slice(0, index), ...items.slice(index + 1)]).map((rest) => [item, ...rest]));
}
