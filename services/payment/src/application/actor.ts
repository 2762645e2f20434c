import { PaymentError } from '../domain/payment.errors.js';
import type { Payment } from '../domain/payment.js';

/** Who asks: a customer (subject = customer id), a store owner, an admin, or another service. */
export interface Actor {
  subject: string;
  role: 'customer' | 'store_owner' | 'admin' | 'service';
  storeId?: string;
}

/** Taking and returning money is for the order service (and admins), never for customers. */
export function requireService(actor: Actor, what: string): void {
  if (actor.role !== 'service' && actor.role !== 'admin') {
    throw new PaymentError('PAYMENT.PERMISSION_DENIED', 'permission_denied', `${what} is only for services`);
  }
}

/** Customers see their own payments; others are told there is none. */
export function maySee(actor: Actor, payment: Payment): boolean {
  if (actor.role === 'admin' || actor.role === 'service') return true;
  return actor.role === 'customer' && payment.snapshot().customerId === actor.subject;
}
