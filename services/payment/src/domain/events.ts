import type { LineItem } from './line-item.js';
import type { Money } from './money.js';

interface PaymentEventBase {
  eventId: string;
  orderId: string;
  occurredAt: Date;
  paymentId: string;
  customerId: string;
  amount: Money;
}

/** Carries the whole order, so the store can take it without calling back. */
export interface PaymentApproved extends PaymentEventBase {
  type: 'PaymentApproved';
  storeId: string;
  items: LineItem[];
  deliveryAddress: string;
}

export interface PaymentRefunded extends PaymentEventBase {
  type: 'PaymentRefunded';
  reason: string;
  /** The other context's event that led to the refund (OrderCancelled, OrderRejected), if any. */
  causationId?: string;
}

export type PaymentEvent = PaymentApproved | PaymentRefunded;
