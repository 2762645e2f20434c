import { StoreOrder, type LineItem, type Money } from '../domain/store-order.js';
import type { Clock, HandledEvent, StoreOrderRepository } from './ports.js';

export interface PaidOrder {
  orderId: string;
  storeId: string;
  customerId: string;
  items: LineItem[];
  total: Money;
  deliveryAddress: string;
}

/** Policy on PaymentApproved: the paid order reaches the store owner. */
export class ReceivePaidOrder {
  constructor(
    private readonly orders: StoreOrderRepository,
    private readonly clock: Clock,
  ) {}

  async execute(paid: PaidOrder, handled: HandledEvent): Promise<void> {
    // Already received, or cancelled before its payment arrived: nothing to do.
    if (await this.orders.find(paid.orderId)) return;
    await this.orders.save(StoreOrder.receive(paid, this.clock.now()), handled);
  }
}
