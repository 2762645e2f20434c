import type { OrderServiceClient, PlaceOrderRequest } from '@fooddelivery/gen/fooddelivery/order/v1/order_service';
import { status, type ServiceError } from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import { call } from './grpc-clients.js';

export interface PlacedOrders {
  orderIds: string[];
  /** Requests that ended without an order, by message. */
  failures: Map<string, number>;
  /** Calls sent again (same request, same idempotency key) after a "not now" answer. */
  retries: number;
  seconds: number;
}

/** Answers a careful client sends again, unchanged: the idempotency key makes it safe. */
const notNow = new Set([status.UNAVAILABLE, status.DEADLINE_EXCEEDED]);

/**
 * Places `count` orders with `concurrency` calls in flight (a closed loop: each caller sends its
 * next order when the last one is answered). `request(i)` builds the i-th order; each gets an
 * idempotency key, and a "not now" answer is retried with the same key a few times.
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
  let retries = 0;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) {
        const built = request(next++);
        const order = { ...built, idempotencyKey: built.idempotencyKey || `load-${randomUUID()}` };
        for (let attempt = 1; ; attempt++) {
          try {
            const { order: placed } = await call(client.placeOrder.bind(client), order, { metadata, timeoutMs: 30_000 });
            orderIds.push(placed!.orderId);
            break;
          } catch (error) {
            if (notNow.has((error as ServiceError).code) && attempt < 5) {
              retries++;
              await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
              continue;
            }
            const key = (error as Error).message.slice(0, 120);
            failures.set(key, (failures.get(key) ?? 0) + 1);
            break;
          }
        }
      }
    }),
  );
  return { orderIds, failures, retries, seconds: (performance.now() - started) / 1000 };
}
