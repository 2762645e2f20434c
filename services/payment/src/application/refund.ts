import { Payment } from '../domain/payment.js';
import { paymentChangedConcurrently } from '../domain/payment.errors.js';
import type { Clock, HandledEvent, IdGenerator, PaymentRepository } from './ports.js';
import { optionalText, requireId } from './validation.js';

const ATTEMPTS = 3;

export interface RefundPorts {
  payments: PaymentRepository;
  clock: Clock;
  ids: IdGenerator;
}

/**
 * Refunds an order's payment; refunding again changes nothing. With no payment yet, voids the
 * order's payment in advance, so an approval that arrives late is declined. `cause`: the event
 * this refund answers, recorded with the refund and named in PaymentRefunded.
 */
export async function refund(ports: RefundPorts, orderId: string, reason: string, cause?: HandledEvent): Promise<Payment> {
  requireId('order_id', orderId);
  const why = optionalText('reason', reason, 500) || 'refunded on request';
  // A concurrent approval or refund of the same order (or a redelivery of `cause`) makes a
  // write lose; the next read sees its result.
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    const payment = await ports.payments.findByOrderId(orderId);
    if (!payment) {
      const voided = Payment.voidBeforeApproval(orderId, ports.ids.newId(), ports.clock.now());
      if (await ports.payments.insert(voided, cause)) return voided;
      continue;
    }
    payment.refund(why, ports.clock.now(), ports.ids.newId(), cause?.eventId);
    if (payment.newEvents().length === 0 || (await ports.payments.update(payment, cause))) return payment;
  }
  throw paymentChangedConcurrently(orderId);
}
