import type { Actor } from '@fooddelivery/kernel/actor';
import { PaymentError } from '../domain/payment.errors.js';
import type { Payment } from '../domain/payment.js';

/** The services that take and return money for orders: a service token names its service in `sub`. */
const paymentCallers: ReadonlySet<string> = new Set(['order']);

const isPaymentCaller = (actor: Actor): boolean => actor.role === 'service' && paymentCallers.has(actor.subject);

/** Taking and returning money is for the order service (and admins): not for customers, nor for any other service. */
export function requirePaymentCaller(actor: Actor, what: string): void {
  if (actor.role === 'admin' || isPaymentCaller(actor)) return;
  throw new PaymentError(
    'PAYMENT.PERMISSION_DENIED',
    'permission_denied',
    actor.role === 'service' ? `${what} is not allowed for the ${actor.subject} service` : `${what} is only for the order service`,
  );
}

/** Customers see their own payments, the order service those it asked for; others are told there is none. */
export function maySee(actor: Actor, payment: Payment): boolean {
  if (actor.role === 'admin' || isPaymentCaller(actor)) return true;
  return actor.role === 'customer' && payment.snapshot().customerId === actor.subject;
}

export type { Actor } from '@fooddelivery/kernel/actor';
