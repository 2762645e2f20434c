import type { Clock, OrderRepository, PaymentAttempts, PaymentGateway } from './ports.js';

/**
 * Refunds payments whose order never got stored: the call timed out but payment charged
 * late, or the process stopped between payment and storing. An attempt whose order exists
 * was merely left open and is closed.
 */
export class SettlePaymentAttempts {
  constructor(
    private readonly attempts: PaymentAttempts,
    private readonly orders: OrderRepository,
    private readonly payments: PaymentGateway,
    private readonly clock: Clock,
    /** How long a customer's retry with the same idempotency key may still complete the order. */
    private readonly graceMs: number,
  ) {}

  /** Settles what it can; returns the order ids refunded. */
  async execute(): Promise<string[]> {
    const before = new Date(this.clock.now().getTime() - this.graceMs);
    const refunded: string[] = [];
    for (const orderId of await this.attempts.unsettled(before, 100)) {
      if (!(await this.orders.findById(orderId))) {
        await this.payments.refund(orderId, 'no order was stored for this payment');
        refunded.push(orderId);
      }
      await this.attempts.finish(orderId);
    }
    return refunded;
  }
}
