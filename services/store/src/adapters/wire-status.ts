import { StoreOrderStatus as WireStatus } from '@fooddelivery/gen/fooddelivery/store/v1/store_order';
import type { StoreOrderStatus } from '../domain/store-order.js';

export const wireStatus: Record<StoreOrderStatus, WireStatus> = {
  received: WireStatus.STORE_ORDER_STATUS_RECEIVED,
  accepted: WireStatus.STORE_ORDER_STATUS_ACCEPTED,
  cooking: WireStatus.STORE_ORDER_STATUS_COOKING,
  delivering: WireStatus.STORE_ORDER_STATUS_DELIVERING,
  delivered: WireStatus.STORE_ORDER_STATUS_DELIVERED,
  rejected: WireStatus.STORE_ORDER_STATUS_REJECTED,
  cancelled: WireStatus.STORE_ORDER_STATUS_CANCELLED,
};

export const domainStatus = new Map(Object.entries(wireStatus).map(([status, wire]) => [wire, status as StoreOrderStatus]));
