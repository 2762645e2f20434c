import { DomainError } from '@fooddelivery/kernel/domain-error';
import { fieldError } from '@fooddelivery/kernel/request-rules';

/** Errors of the payment context. */
export class PaymentError extends DomainError {}

export const invalidField = fieldError('PAYMENT', PaymentError);

export const paymentNotFound = (orderId: string) =>
  new PaymentError('PAYMENT.NOT_FOUND', 'not_found', `no payment for order ${orderId}`, 'order_id');

export const providerBusy = () =>
  new PaymentError('PAYMENT.PROVIDER_BUSY', 'resource_exhausted', 'the payment provider is busy; please try again shortly', undefined, 1);

export const authorizationAbandoned = () =>
  new PaymentError(
    'PAYMENT.ABANDONED',
    'deadline_exceeded',
    'the caller stopped waiting before the provider answered; nothing was charged',
  );

export const paymentChangedConcurrently = (orderId: string) =>
  new PaymentError(
    'PAYMENT.CONCURRENT_UPDATE',
    'unavailable',
    `the payment for order ${orderId} was changed at the same time; try again`,
    undefined,
    1,
  );

export const differentTermsForOrder = (orderId: string) =>
  new PaymentError(
    'PAYMENT.DIFFERENT_TERMS',
    'already_exists',
    `order ${orderId} already has a payment for a different amount, store or items`,
    'order_id',
  );
