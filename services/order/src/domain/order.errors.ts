import { DomainError } from '@fooddelivery/kernel/domain-error';
import { fieldError } from '@fooddelivery/kernel/request-rules';

/** Errors of the ordering context. */
export class OrderError extends DomainError {}

export const invalidField = fieldError('ORDER', OrderError);

export const storeNotFound = (storeId: string) =>
  new OrderError('ORDER.STORE_NOT_FOUND', 'not_found', `store ${storeId} does not exist`, 'store_id');

export const orderNotFound = (orderId: string) =>
  new OrderError('ORDER.NOT_FOUND', 'not_found', `order ${orderId} does not exist`, 'order_id');

export const storeClosed = (storeId: string) =>
  new OrderError('ORDER.STORE_CLOSED', 'failed_precondition', `store ${storeId} is closed and takes no orders`, 'store_id');

export const menuItemUnavailable = (field: string, menuItemId: string) =>
  new OrderError('ORDER.MENU_ITEM_UNAVAILABLE', 'failed_precondition', `${field}: ${menuItemId} is sold out`, field);

export const paymentDeclined = (reason: string) =>
  new OrderError('ORDER.PAYMENT_DECLINED', 'failed_precondition', `payment declined: ${reason}`, 'card_token');

/** Payment did not answer yes or no. `mayHaveCharged`: it may still approve, so the attempt must be settled later. */
export class PaymentUnavailableError extends OrderError {
  constructor(
    detail: string,
    retryAfterSeconds: number,
    readonly mayHaveCharged: boolean,
  ) {
    super(
      'PAYMENT.UNAVAILABLE',
      'unavailable',
      `payment is unavailable right now (${detail}); please try again shortly`,
      undefined,
      retryAfterSeconds,
    );
  }
}

export const paymentUnavailable = (detail: string, retryAfterSeconds: number, mayHaveCharged = false) =>
  new PaymentUnavailableError(detail, retryAfterSeconds, mayHaveCharged);

export const cannotCancel = (orderId: string, status: string, why = '') =>
  new OrderError(
    'ORDER.CANNOT_CANCEL',
    'failed_precondition',
    `order ${orderId} is ${status} and can no longer be cancelled${why ? ` (${why})` : ''}`,
    'order_id',
  );

export const orderChangedConcurrently = (orderId: string) =>
  new OrderError('ORDER.CONCURRENT_UPDATE', 'unavailable', `order ${orderId} was changed at the same time; try again`, undefined, 1);

/** The order's write failed: how the customer gets the order or the money back. */
export type NotStoredOutcome = { retryWithinSeconds: number } | { refunded: true } | { settledWithinSeconds: number };

export const orderNotStored = (cause: unknown, outcome: NotStoredOutcome) =>
  Object.assign(
    new OrderError(
      'ORDER.NOT_STORED',
      'unavailable',
      'retryWithinSeconds' in outcome
        ? `the order could not be stored; send the same request with the same idempotency key within ${outcome.retryWithinSeconds} s to complete it, otherwise its payment is refunded`
        : 'refunded' in outcome
          ? 'the order could not be stored and its payment was refunded; please try again'
          : `the order could not be confirmed as stored; if it was not, its payment is refunded within ${outcome.settledWithinSeconds} s (ListOrders shows it if it was); send an idempotency key to make retries safe`,
      undefined,
      1,
    ),
    { cause },
  );

/** Payment already holds a payment for this order id with other terms. */
export const paymentTermsConflict = () =>
  new OrderError('ORDER.PAYMENT_TERMS_CONFLICT', 'already_exists', 'payment holds another payment for this order id');

export const idempotencyKeyReused = (key: string) =>
  new OrderError(
    'ORDER.IDEMPOTENCY_KEY_REUSED',
    'already_exists',
    `idempotency key ${JSON.stringify(key)} was already used for a different order; use a new key for a new order`,
    'idempotency_key',
  );

export const orderAbandoned = (key: string) =>
  new OrderError(
    'ORDER.ABANDONED',
    'failed_precondition',
    `the order placed with idempotency key ${JSON.stringify(key)} could not be stored and its payment was refunded; place it again with a new key`,
    'idempotency_key',
  );
