import type { Clock, PaymentAttempts, PaymentGateway } from './ports.js';
import { settleAttempt } from './settle-attempt.js';

/**
 * Refunds payments whose order never got stored: the call timed out but payment charged late,
 * the process stopped between payment and storing, or the customer never retried a failed
 * write. The order id is claimed first, so the order can never appear after its refund.
 */
export class SettlePaymentAttempts {
  constructor(
    private readonly attempts: PaymentAttempts,
    private readonly payments: PaymentGateway,
    private readonly clock: Clock,
    private readonly options: {
      /** How long a customer's retry with the same idempotency key may still complete the order. */
      graceMs: number;
      /** Refunds under way at once. */
      concurrency: number;
    },
  ) {}

  /** Settles what is due; returns the order ids refunded and the failures (retried next time). */
  async execute(limit = 500): Promise<{ refunded: string[]; failed: Array<{ orderId: string; error: unknown }> }> {
    const due = await this.attempts.stale(new Date(this.clock.now().getTime() - this.options.graceMs), limit);
    const refunded: string[] = [];
    const failed: Array<{ orderId: string; error: unknown }> = [];
    let next = 0;
    const worker = async () => {
      while (next < due.length) {
        const attempt = due[next++]!;
        try {
          if ((await settleAttempt({ attempts: this.attempts, payments: this.payments, clock: this.clock }, attempt)) === 'refunded')
            refunded.push(attempt.orderId);
        } catch (error) {
          failed.push({ orderId: attempt.orderId, error });
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.options.concurrency, due.length) }, worker));
    return { refunded, failed };
  }
}
