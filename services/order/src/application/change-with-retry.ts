import type { Order } from '../domain/order.js';
import { orderChangedConcurrently } from '../domain/order.errors.js';
import { AbandonedOrder, type OrderRepository } from './ports.js';

const ATTEMPTS = 5;

/**
 * Loads the order, lets `decide` change it, and appends the change. When another write took the
 * next version first, loads again and decides again on the newer order. Undefined when there is
 * no such order; the order unchanged when `decide` made no change.
 */
export async function changeWithRetry(
  orders: OrderRepository,
  orderId: string,
  decide: (order: Order) => void,
): Promise<Order | undefined> {
  for (let attempt = 1; ; attempt++) {
    const order = await orders.load(orderId);
    if (!order || order instanceof AbandonedOrder) return undefined;
    decide(order);
    if (!order.pendingChange()) return order;
    try {
      await orders.append(order);
      return order;
    } catch (error) {
      if (!isConcurrentChange(error) || attempt === ATTEMPTS) throw error;
    }
  }
}

function isConcurrentChange(error: unknown): boolean {
  return (error as { code?: unknown }).code === orderChangedConcurrently('').code;
}
