import type { Payment } from '../domain/payment.js';
import { paymentNotFound } from '../domain/payment.errors.js';
import { maySee, type Actor } from './actor.js';
import type { PaymentRepository } from './ports.js';
import { requireId } from './validation.js';

export class GetPayment {
  constructor(private readonly payments: PaymentRepository) {}

  async execute(actor: Actor, orderId: string): Promise<Payment> {
    const payment = await this.payments.findByOrderId(requireId('order_id', orderId));
    if (!payment || !maySee(actor, payment)) throw paymentNotFound(orderId);
    return payment;
  }
}
