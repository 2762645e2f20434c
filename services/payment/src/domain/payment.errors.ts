type Kind = 'invalid_argument' | 'not_found' | 'permission_denied' | 'unavailable' | 'resource_exhausted' | 'deadline_exceeded';

/** Errors of the payment context; `code` is stable for clients, `kind` decides the status. */
export class PaymentError extends Error {
  constructor(
    readonly code: string,
    readonly kind: Kind,
    message: string,
    readonly field?: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'PaymentError';
  }
}

export const invalidField = (field: string, problem: string) =>
  new PaymentError('PAYMENT.INVALID_ARGUMENT', 'invalid_argument', `${field}: ${problem}`, field);

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
