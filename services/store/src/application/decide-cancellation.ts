import { StoreOrder } from '../domain/store-order.js';
import { changeWithRetry } from './change-with-retry.js';
import type { Clock, HandledEvent, IdGenerator, StoreOrderRepository } from './ports.js';

export interface CancellationRequest {
  orderId: string;
  storeId: string;
  customerId: string;
  reason: string;
}

/**
 * Policy on OrderCancellationRequested. The store owns delivery, so it decides, in the same
 * transaction as its own state: it stops the order before delivery starts (DeliveryCancelled),
 * or refuses (CancellationRefused). A request that arrives before the order stops it in advance.
 */
export class DecideCancellation {
  constructor(
    private readonly orders: StoreOrderRepository,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
  ) {}

  async execute(request: CancellationRequest, handled: HandledEvent): Promise<void> {
    const reason = `cancelled by the customer: ${request.reason}`.slice(0, 500);
    await changeWithRetry(
      this.orders,
      request.orderId,
      (order) => {
        const now = this.clock.now();
        const announce = { eventId: this.ids.newId(), causationId: handled.eventId };
        if (!order) return StoreOrder.cancelledBeforeReceipt(request.orderId, request.storeId, request.customerId, reason, now, announce);
        return order.decideCancellation(reason, now, announce.eventId, announce.causationId) === 'unchanged' ? undefined : order;
      },
      handled,
    );
  }
}
