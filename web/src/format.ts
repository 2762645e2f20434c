import type { Money, OrderTracking, StoreOrderStatus, TrackingStatus, Schemas } from './api';

/** Money in minor units (int64 as a string in proto3 JSON), shown in its currency. */
export function formatMoney(money: Money | undefined): string {
  if (!money?.currencyCode) return '';
  const format = new Intl.NumberFormat('en', { style: 'currency', currency: money.currencyCode });
  const digits = format.resolvedOptions().maximumFractionDigits ?? 0;
  return format.format(Number(money.amountMinor ?? 0) / 10 ** digits);
}

export function moneyTimes(money: Money | undefined, quantity: number): Money | undefined {
  return money && { currencyCode: money.currencyCode ?? '', amountMinor: String(Number(money.amountMinor ?? 0) * quantity) };
}

export function formatTime(timestamp: string | undefined): string {
  return timestamp ? new Date(timestamp).toLocaleTimeString('en', { hour: '2-digit', minute: '2-digit', second: '2-digit' }) : '';
}

export const trackingLabel: Record<TrackingStatus, string> = {
  TRACKING_STATUS_UNSPECIFIED: 'Waiting for the order',
  TRACKING_STATUS_PAID: 'Paid',
  TRACKING_STATUS_ACCEPTED: 'Accepted',
  TRACKING_STATUS_COOKING: 'Cooking',
  TRACKING_STATUS_DELIVERING: 'Delivering',
  TRACKING_STATUS_DELIVERED: 'Delivered',
  TRACKING_STATUS_CANCELLED: 'Cancelled',
  TRACKING_STATUS_REJECTED: 'Rejected by the store',
  TRACKING_STATUS_REFUNDED: 'Refunded',
};

export const orderLabel: Record<Schemas['OrderStatus'], string> = {
  ORDER_STATUS_UNSPECIFIED: 'Unknown',
  ORDER_STATUS_PAID: 'Paid',
  ORDER_STATUS_ACCEPTED: 'Accepted',
  ORDER_STATUS_COOKING: 'Cooking',
  ORDER_STATUS_DELIVERING: 'Delivering',
  ORDER_STATUS_DELIVERED: 'Delivered',
  ORDER_STATUS_CANCELLED: 'Cancelled',
  ORDER_STATUS_REJECTED: 'Rejected',
};

export const storeOrderLabel: Record<StoreOrderStatus, string> = {
  STORE_ORDER_STATUS_UNSPECIFIED: 'Unknown',
  STORE_ORDER_STATUS_RECEIVED: 'New',
  STORE_ORDER_STATUS_ACCEPTED: 'Accepted',
  STORE_ORDER_STATUS_COOKING: 'Cooking',
  STORE_ORDER_STATUS_DELIVERING: 'Out for delivery',
  STORE_ORDER_STATUS_DELIVERED: 'Delivered',
  STORE_ORDER_STATUS_REJECTED: 'Rejected',
  STORE_ORDER_STATUS_CANCELLED: 'Cancelled',
};

/** The happy path a customer's order follows, in order. */
export const trackingSteps: TrackingStatus[] = [
  'TRACKING_STATUS_PAID',
  'TRACKING_STATUS_ACCEPTED',
  'TRACKING_STATUS_COOKING',
  'TRACKING_STATUS_DELIVERING',
  'TRACKING_STATUS_DELIVERED',
];

/** Whether a step of the happy path has been reached. */
export function reached(tracking: OrderTracking | undefined, step: TrackingStatus): boolean {
  return (tracking?.timeline ?? []).some((entry) => entry.status === step);
}
