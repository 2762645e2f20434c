type Kind = 'invalid_argument' | 'not_found' | 'failed_precondition' | 'permission_denied' | 'unavailable';

export class StoreOrderError extends Error {
  constructor(
    readonly code: string,
    readonly kind: Kind,
    message: string,
    readonly field?: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'StoreOrderError';
  }
}

export const invalidField = (field: string, problem: string) =>
  new StoreOrderError('STORE.INVALID_ARGUMENT', 'invalid_argument', `${field}: ${problem}`, field);

export const storeOrderNotFound = (storeId: string, orderId: string) =>
  new StoreOrderError('STORE.ORDER_NOT_FOUND', 'not_found', `store ${storeId} has no order ${orderId}`, 'order_id');

export const illegalTransition = (orderId: string, action: string, status: string) =>
  new StoreOrderError('STORE.ILLEGAL_TRANSITION', 'failed_precondition', `cannot ${action} order ${orderId}: it is ${status}`, 'order_id');

export const changedConcurrently = (orderId: string) =>
  new StoreOrderError('STORE.CONCURRENT_UPDATE', 'unavailable', `order ${orderId} was changed at the same time; try again`, undefined, 1);
