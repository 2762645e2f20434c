import type { OrderServiceClient, PlaceOrderRequest } from '@fooddelivery/gen/fooddelivery/order/v1/order_service';
import { call } from './grpc-clients.js';

export interface PlacedOrders {
  orderIds: string[];
  failures: Map<string, number>;
  seconds: number;
}

/**
 * Places `count` orders with `concurrency` calls in flight (a closed loop: each caller sends its
 * next order when the last one is answered). `request(i)` builds the i-th order.
 */
export async function placeOrders(
  client: OrderServiceClient,
  count: number,
  concurrency: number,
  request: (index: number) => PlaceOrderRequest,
  metadata: Record<string, string> = {},
): Promise<PlacedOrders> {
  const orderIds: string[] = [];
  const failures = new Map<string, number>();
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) {
        const index = next++;
        try {
          const { order } = await call(client.placeOrder.bind(client), request(index), { metadata, timeoutMs: 30_000 });
          orderIds.push(order!.orderId);
        } catch (error) {
          const key = (error as Error).message.slice(0, 120);
          failures.set(key, (failures.get(key) ?? 0) + 1);
        }
      }
    }),
  );
  return { orderIds, failures, seconds: (performance.now() - started) / 1000 };
}
