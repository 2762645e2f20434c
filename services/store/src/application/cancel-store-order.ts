import { StoreOrder } from '../domain/store-order.js';
import type { Clock, HandledEvent, IdGenerator, StoreOrderRepository } from './ports.js';

export interface OrderCancellation {
  orderId: string;
  storeId: string;
  customerId: string;
  reason: string;
}

/** Policy on OrderCancelled: stop handling the order and cancel its delivery. */
export class CancelStoreOrder {
  constructor(
    private readonly orders: StoreOrderRepository,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
  ) {}

  async execute(cancellation: OrderCancellation, handled: HandledEvent): Promise<void> {
    const now = this.clock.now();
    const order = await this.orders.find(cancellation.orderId);
    if (!order) {
      const tombstone = StoreOrder.cancelledBeforeReceipt(
        cancellation.orderId,
        cancellation.storeId,
        cancellation.customerId,
        cancellation.reason,
        now,
      );
      await this.orders.save(tombstone, handled);
      return;
    }
    order.cancel(cancellation.reason, now, this.ids.newId(), handled.eventId);
    await this.orders.save(order, handled);
  }
}
