import type { OrderServiceClient } from '@fooddelivery/gen/fooddelivery/order/v1/order_service';
import type { OrderStatus } from '@fooddelivery/gen/fooddelivery/order/v1/order';
import type { StoreOrder } from '@fooddelivery/gen/fooddelivery/store/v1/store_order';
import type { StoreServiceClient } from '@fooddelivery/gen/fooddelivery/store/v1/store_service';
import { call } from './grpc-clients.js';
import { eventually } from './events.js';

/** Waits until the store has received the order (PaymentApproved consumed). */
export function storeOrder(store: StoreServiceClient, storeId: string, orderId: string, timeoutMs = 15_000): Promise<StoreOrder> {
  return eventually(
    `store order ${orderId}`,
    async () => {
      for (let pageToken = ''; ; ) {
        const page = await call(store.listStoreOrders.bind(store), { storeId, status: 0, pageSize: 100, pageToken });
        const found = page.orders.find((candidate) => candidate.orderId === orderId);
        if (found) return found;
        if (!page.nextPageToken) return undefined;
        pageToken = page.nextPageToken;
      }
    },
    timeoutMs,
  );
}

/** Every store order of a store (all pages). */
export async function allStoreOrders(store: StoreServiceClient, storeId: string): Promise<StoreOrder[]> {
  const orders: StoreOrder[] = [];
  for (let pageToken = ''; ; ) {
    const page = await call(store.listStoreOrders.bind(store), { storeId, status: 0, pageSize: 100, pageToken });
    orders.push(...page.orders);
    if (!page.nextPageToken) return orders;
    pageToken = page.nextPageToken;
  }
}

/** Waits until the order service shows `status` (it follows the store's events). */
export function orderStatus(order: OrderServiceClient, orderId: string, status: OrderStatus, timeoutMs = 15_000) {
  return eventually(
    `order ${orderId} in status ${status}`,
    async () => {
      const read = await call(order.getOrder.bind(order), { orderId });
      return read.order?.status === status ? read.order : undefined;
    },
    timeoutMs,
  );
}
