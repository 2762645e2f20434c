import type { Money } from './money.js';
import type { StoreOrderStatus } from './store-order-status.js';

/** What the store did with an order, as it tells the other contexts. */
export type StoreEventType =
  | 'OrderAccepted'
  | 'CookingStarted'
  | 'DeliveryStarted'
  | 'DeliveryCompleted'
  | 'OrderRejected'
  | 'DeliveryCancelled'
  | 'CancellationRefused';

export interface StoreEvent {
  type: StoreEventType;
  eventId: string;
  orderId: string;
  occurredAt: Date;
  storeId: string;
  customerId: string;
  total: Money;
  reason: string;
  /** The event that led to this one, when another service's event did. */
  causationId?: string;
  /** CancellationRefused: the order's status when the request arrived. */
  refusedInStatus?: StoreOrderStatus;
}
