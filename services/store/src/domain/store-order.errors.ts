import { DomainError } from '@fooddelivery/kernel/domain-error';

/** Errors of the store context. */
export class StoreOrderError extends DomainError {}

export const storeOrderNotFound = (storeId: string, orderId: string) =>
  new StoreOrderError('STORE.ORDER_NOT_FOUND', 'not_found', `store ${storeId} has no order ${orderId}`, 'order_id');

export const illegalTransition = (orderId: string, action: string, status: string) =>
  new StoreOrderError('STORE.ILLEGAL_TRANSITION', 'failed_precondition', `cannot ${action} order ${orderId}: it is ${status}`, 'order_id');

export const changedConcurrently = (orderId: string) =>
  new StoreOrderError('STORE.CONCURRENT_UPDATE', 'unavailable', `order ${orderId} was changed at the same time; try again`, undefined, 1);
