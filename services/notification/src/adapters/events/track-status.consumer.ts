import type { ReceivedEvent } from '@fooddelivery/adapters/jetstream';
import type { Logger } from '@fooddelivery/adapters/logger';
import { Streams } from '@fooddelivery/adapters/streams';
import type { Money as WireMoney } from '@fooddelivery/gen/fooddelivery/common/v1/money';
import { OrderCancelled, OrderPlaced } from '@fooddelivery/gen/fooddelivery/order/v1/order_events';
import { PaymentRefunded } from '@fooddelivery/gen/fooddelivery/payment/v1/payment_events';
import {
  CookingStarted,
  DeliveryCompleted,
  DeliveryStarted,
  OrderAccepted,
  OrderRejected,
} from '@fooddelivery/gen/fooddelivery/store/v1/store_events';
import type { RecordStatusChange } from '../../application/record-status-change.js';
import type { Money, StatusChange, TrackingStatus } from '../../domain/tracking.js';

interface Decoded {
  orderId: string;
  occurredAt?: Date | undefined;
  customerId: string;
  storeId?: string;
  total?: WireMoney | undefined;
  amount?: WireMoney | undefined;
  reason?: string;
}

/**
 * The events that change what the customer sees, by subject. PaymentApproved and
 * DeliveryCancelled add nothing for the customer (OrderPlaced and OrderCancelled say it), so
 * they are not subscribed to.
 */
const statusBySubject: Record<string, { status: TrackingStatus; decode(payload: Uint8Array): Decoded }> = {
  'fooddelivery.order.placed': { status: 'paid', decode: (payload) => OrderPlaced.decode(payload) },
  'fooddelivery.order.cancelled': { status: 'cancelled', decode: (payload) => OrderCancelled.decode(payload) },
  'fooddelivery.payment.refunded': { status: 'refunded', decode: (payload) => PaymentRefunded.decode(payload) },
  'fooddelivery.store.accepted': { status: 'accepted', decode: (payload) => OrderAccepted.decode(payload) },
  'fooddelivery.store.cooking_started': { status: 'cooking', decode: (payload) => CookingStarted.decode(payload) },
  'fooddelivery.store.delivery_started': { status: 'delivering', decode: (payload) => DeliveryStarted.decode(payload) },
  'fooddelivery.store.delivery_completed': { status: 'delivered', decode: (payload) => DeliveryCompleted.decode(payload) },
  'fooddelivery.store.rejected': { status: 'rejected', decode: (payload) => OrderRejected.decode(payload) },
};

/** One durable consumer per stream, shared by every replica of this service: `notification-<policy>`. */
export const trackingConsumers = [
  {
    stream: Streams.order.name,
    durable: 'notification-track-orders',
    filterSubjects: ['fooddelivery.order.placed', 'fooddelivery.order.cancelled'],
  },
  {
    stream: Streams.payment.name,
    durable: 'notification-track-refunds',
    filterSubjects: ['fooddelivery.payment.refunded'],
  },
  {
    stream: Streams.store.name,
    durable: 'notification-track-store',
    filterSubjects: [
      'fooddelivery.store.accepted',
      'fooddelivery.store.cooking_started',
      'fooddelivery.store.delivery_started',
      'fooddelivery.store.delivery_completed',
      'fooddelivery.store.rejected',
    ],
  },
];

/** Wire event → status change → tracking view and pending message. */
export function onStatusEvent(record: RecordStatusChange, logger: Logger) {
  return async (event: ReceivedEvent) => {
    const mapping = statusBySubject[event.subject];
    if (!mapping) return;
    const change = toStatusChange(mapping.status, mapping.decode(event.payload), event.orderId);
    const result = await record.execute(change);
    logger.info({ status: change.status, ...result }, result.viewChanged ? 'tracking updated' : 'tracking already had this step');
  };
}

function toStatusChange(status: TrackingStatus, decoded: Decoded, headerOrderId: string): StatusChange {
  const orderId = decoded.orderId || headerOrderId;
  // Redelivering cannot mend these: the event goes to the dead letters after its retries.
  if (!orderId) throw new Error('the event carries no order id');
  if (!decoded.occurredAt) throw new Error('the event carries no occurred_at');
  const total = toMoney(decoded.total ?? decoded.amount);
  return {
    orderId,
    status,
    occurredAt: decoded.occurredAt,
    customerId: decoded.customerId,
    storeId: decoded.storeId ?? '',
    reason: decoded.reason ?? '',
    ...(total && { total }),
  };
}

function toMoney(money: WireMoney | undefined): Money | undefined {
  return money && money.currencyCode ? { currencyCode: money.currencyCode, amountMinor: money.amountMinor } : undefined;
}
