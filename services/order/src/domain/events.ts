import type { LineItem } from './line-item.js';
import type { Money } from './money.js';

interface OrderEventBase {
  eventId: string;
  orderId: string;
  occurredAt: Date;
  customerId: string;
  storeId: string;
}

export interface OrderPlaced extends OrderEventBase {
  type: 'OrderPlaced';
  items: LineItem[];
  total: Money;
  deliveryAddress: string;
  paymentId: string;
}

/** The customer asked to cancel; the store decides. */
export interface OrderCancellationRequested extends OrderEventBase {
  type: 'OrderCancellationRequested';
  reason: string;
}

/** The order is certainly cancelled: payment refunds. */
export interface OrderCancelled extends OrderEventBase {
  type: 'OrderCancelled';
  paymentId: string;
  total: Money;
  reason: string;
}

export type OrderEvent = OrderPlaced | OrderCancellationRequested | OrderCancelled;
