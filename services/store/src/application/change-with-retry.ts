import type { StoreOrder } from '../domain/store-order.js';
import { changedConcurrently } from '../domain/store-order.errors.js';
import type { HandledEvent, StoreOrderRepository } from './ports.js';

const ATTEMPTS = 5;

/**
 * Reads the order, lets `decide` change it or create it when there is none (returning what to
 * save, or nothing), and saves. When another write changed the order first, reads again and
 * decides again.
 */
export async function changeWithRetry(
  orders: StoreOrderRepository,
  orderId: string,
  decide: (order: StoreOrder | undefined) => StoreOrder | undefined,
  handled?: HandledEvent,
): Promise<StoreOrder | undefined> {
  for (let attempt = 1; ; attempt++) {
    const changed = decide(await orders.find(orderId));
    if (!changed) return undefined;
    try {
      await orders.save(changed, handled);
      return changed;
    } catch (error) {
      if ((error as { code?: unknown }).code !== changedConcurrently('').code || attempt === ATTEMPTS) throw error;
    }
  }
}
