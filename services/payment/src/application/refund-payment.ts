import { Payment } from '../domain/payment.js';
import { paymentChangedConcurrently } from '../domain/payment.errors.js';
import { requireService, type Actor } from './actor.js';
import type { Clock, HandledEvent, IdGenerator, PaymentRepository } from './ports.js';
import { optionalText, requireId } from './validation.js';

const ATTEMPTS = 3;

/**
 * Refunds an order's payment; refunding again changes nothing. With no payment yet, voids
 * the order's payment in advance, so an approval that arrives late is declined.
 */
export class RefundPayment {
  constructor(
    private readonly payments: PaymentRepository,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
  ) {}

  /** A refund asked for over the API: services and admins only. */
  requested(actor: Actor, orderId: string, reason: string): Promise<Payment> {
    requireService(actor, 'refunding a payment');
    return this.execute(orderId, reason);
  }

  /** `cause`: the event this refund answers; recorded with the refund and named in PaymentRefunded. */
  async execute(orderId: string, reason: string, cause?: HandledEvent): Promise<Payment> {
    requireId('order_id', orderId);
    const why = optionalText('reason', reason, 500) || 'refunded on request';
    // A concurrent approval or refund of the same order (or a redelivery of `cause`) makes a
    // write lose; the next read sees its result.
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      const payment = await this.payments.findByOrderId(orderId);
      if (!payment) {
        const voided = Payment.voidBeforeApproval(orderId, this.ids.newId(), this.clock.now());
        if (await this.payments.insert(voided, cause)) return voided;
        continue;
      }
      payment.refund(why, this.clock.now(), this.ids.newId(), cause?.eventId);
      if (payment.newEvents().length === 0 || (await this.payments.update(payment, cause))) return payment;
    }
    throw paymentChangedConcurrently(orderId);
  }
}
