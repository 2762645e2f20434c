import type { Actor } from '@fooddelivery/kernel/actor';
import { PaymentError } from '../domain/payment.errors.js';
import type { Payment } from '../domain/payment.js';

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

export type { Actor } from '@fooddelivery/kernel/actor';
