import type { Actor } from '@fooddelivery/kernel/actor';
import { OrderError } from '../domain/order.errors.js';
import type { Order } from '../domain/order.js';

export const forbidden = (what: string) =>
  new OrderError('ORDER.PERMISSION_DENIED', 'permission_denied', `${what} is not allowed for this caller`);

/** The customer an actor may act for: customers only for themselves (an empty id means themselves), admins for anyone. */
export function customerFor(actor: Actor, customerId: string, what: string): string {
  if (actor.role === 'admin') return customerId;
  if (actor.role !== 'customer') throw forbidden(what);
  if (customerId !== '' && customerId !== actor.subject) throw forbidden(`${what} for another customer`);
  return actor.subject;
}

/** Whether the actor may see this order; others are told it does not exist, so ids leak nothing. */
export function maySee(actor: Actor, order: Order): boolean {
  const state = order.snapshot();
  switch (actor.role) {
    case 'admin':
    case 'service':
      return true;
    case 'customer':
      return state.customerId === actor.subject;
    case 'store_owner':
      return state.storeId === actor.storeId;
  }
}

export type { Actor } from '@fooddelivery/kernel/actor';
