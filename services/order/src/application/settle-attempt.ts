import type { Clock, PaymentAttempt, PaymentAttempts, PaymentGateway } from './ports.js';

export const NO_ORDER_STORED = 'no order was stored for this payment';

/**
 * Gives a payment back whose order was never stored: claims the order id as abandoned first, so the
 * order can never appear after its refund, then refunds. `placed` when the order had been stored
 * after all (nothing to refund).
 */
export async function settleAttempt(
  ports: { attempts: PaymentAttempts; payments: PaymentGateway; clock: Clock },
  attempt: PaymentAttempt,
): Promise<'refunded' | 'placed'> {
  if ((await ports.attempts.abandon(attempt, NO_ORDER_STORED, ports.clock.now())) === 'placed') return 'placed';
  await ports.payments.refund(attempt.orderId, NO_ORDER_STORED);
  await ports.attempts.close(attempt);
  return 'refunded';
}
