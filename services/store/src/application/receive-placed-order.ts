import { StoreOrder, type LineItem, type Money } from '../domain/store-order.js';
import { changeWithRetry } from './change-with-retry.js';
import type { Clock, HandledEvent, StoreOrderRepository } from './ports.js';

export interface PlacedOrder {
  orderId: string;
  storeId: string;
  customerId: string;
  items: LineItem[];
  total: Money;
  deliveryAddress: string;
}

/** Policy on OrderPlaced: the paid and stored order reaches the store owner. */
export class ReceivePlacedOrder {
  constructor(
    private readonly orders: StoreOrderRepository,
    private readonly clock: Clock,
  ) {}

  async execute(placed: PlacedOrder, handled: HandledEvent): Promise<void> {
    // Already received, or stopped (cancelled, refunded) before it arrived: nothing to do.
    await changeWithRetry(
      this.orders,
      placed.orderId,
      (order) => (order ? undefined : StoreOrder.receive(placed, this.clock.now())),
      handled,
    );
  }
}
