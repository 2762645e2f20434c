import type { Payment } from '../domain/payment.js';
import { requireService, type Actor } from './actor.js';
import { refund, type RefundPorts } from './refund.js';

/** A refund asked for over the API (the order service settling a payment, an administrator): services and admins only. */
export class RefundPayment {
  constructor(private readonly ports: RefundPorts) {}

  async execute(actor: Actor, orderId: string, reason: string): Promise<Payment> {
    requireService(actor, 'refunding a payment');
    return refund(this.ports, orderId, reason);
  }
}
