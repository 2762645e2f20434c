import type { HandledEvent } from './ports.js';
import { refund, type RefundPorts } from './refund.js';

const MAX_REASON = 500;

/**
 * Policy: an order that will not be delivered, because it was cancelled or the store rejected
 * it, gets its payment back. Each event is handled once; a refunded or declined payment stays
 * as it is, and an order not paid yet is voided so a late approval is declined.
 */
export interface OrderEnded {
  orderId: string;
  /** The other context's words for why. */
  reason: string;
  because: 'cancelled' | 'rejected';
}

export class RefundCancelledOrder {
  constructor(private readonly ports: RefundPorts) {}

  async execute(ended: OrderEnded, event: HandledEvent): Promise<void> {
    const why = ended.reason.trim();
    const reason =
      ended.because === 'cancelled' ? why || 'order cancelled' : why ? `rejected by the store: ${why}` : 'rejected by the store';
    // Another context's wording must not stop a refund: too long a reason is shortened, not refused.
    await refund(this.ports, ended.orderId, reason.slice(0, MAX_REASON), event);
  }
}
