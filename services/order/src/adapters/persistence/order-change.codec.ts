import type { LineItem, OrderChange, OrderDetails, StoreProgress } from '../../domain/order.js';
import type { StoredChange } from './order-database.js';

/** What version 1 says when the order's payment attempt was given up (see MongoPaymentAttempts.abandon). */
export const ABANDONED = 'abandoned';
/** A version taken over from a writer that failed: no change. */
export const VOID = 'void';

export function toStoredChange(change: OrderChange): StoredChange {
  return { ...change };
}

/** The domain change a stored one stands for; undefined for a void version. Unknown types fail loudly. */
export function fromStoredChange(stored: StoredChange): OrderChange | undefined {
  const at = date(stored.at);
  switch (stored.type) {
    case VOID:
      return undefined;
    case 'placed':
      return { type: 'placed', at, details: details(stored.details) };
    case 'store_progressed':
      return { type: 'store_progressed', at, step: text(stored.step) as StoreProgress };
    case 'rejected':
    case 'cancellation_requested':
    case 'cancellation_refused':
    case 'cancelled':
      return { type: stored.type, at, reason: text(stored.reason) };
    default:
      throw new Error(`the order log holds a change of unknown type ${JSON.stringify(stored.type)}`);
  }
}

function details(value: unknown): OrderDetails {
  const stored = value as Record<string, unknown>;
  const total = stored.total as { currencyCode: string; amountMinor: number };
  return {
    orderId: text(stored.orderId),
    customerId: text(stored.customerId),
    storeId: text(stored.storeId),
    items: (stored.items as LineItem[]).map((item) => ({
      menuItemId: item.menuItemId,
      name: item.name,
      quantity: Number(item.quantity),
      unitPrice: money(item.unitPrice),
      lineTotal: money(item.lineTotal),
    })),
    total: money(total),
    deliveryAddress: text(stored.deliveryAddress),
    paymentId: text(stored.paymentId),
    requestFingerprint: text(stored.requestFingerprint ?? ''),
  };
}

function money(value: { currencyCode: string; amountMinor: number }) {
  return { currencyCode: value.currencyCode, amountMinor: Number(value.amountMinor) };
}

function text(value: unknown): string {
  if (typeof value !== 'string') throw new Error(`the order log holds ${JSON.stringify(value)} where text belongs`);
  return value;
}

function date(value: unknown): Date {
  return value instanceof Date ? value : new Date(String(value));
}
