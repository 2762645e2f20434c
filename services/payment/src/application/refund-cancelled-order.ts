import type { HandledEvent } from './ports.js';
import type { RefundPayment } from './refund-payment.js';

const MAX_REASON = 500;

/**
 * Policy: an order that will not be delivered, because it was cancelled or the store rejected
 * it, gets its payment back. Each event is handled once; a refunded or declined payment stays
 * as it is, and an order not paid yet is voided so a late approval is declined.
 */
export class RefundCancelledOrder {
  constructor(private readonly refundPayment: RefundPayment) {}

  async cancelled(orderId: string, reason: string, event: HandledEvent): Promise<void> {
    await this.refund(orderId, reason.trim() || 'order cancelled', event);
  }

  async rejectedByStore(orderId: string, reason: string, event: HandledEvent): Promise<void> {
    const why = reason.trim();
    await this.refund(orderId, why ? `rejected by the store: ${why}` : 'rejected by the store', event);
  }

  // Another context's wording must not stop a refund: too long a reason is shortened, not refused.
  private async refund(orderId: string, reason: string, event: HandledEvent): Promise<void> {
    await this.refundPayment.execute(orderId, reason.slice(0, MAX_REASON), event);
  }
}
