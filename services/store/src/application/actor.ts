import type { Actor } from '@fooddelivery/kernel/actor';
import { StoreOrderError } from '../domain/store-order.errors.js';

/** Only the store's own owner (or an admin) handles its orders. */
export function requireOwnerOf(actor: Actor, storeId: string): void {
  if (actor.role === 'admin') return;
  if (actor.role === 'store_owner' && actor.storeId === storeId) return;
  throw new StoreOrderError(
    'STORE.PERMISSION_DENIED',
    'permission_denied',
    actor.role === 'store_owner' ? `this store owner acts for another store, not ${storeId}` : 'only the store owner handles store orders',
  );
}

export type { Actor } from '@fooddelivery/kernel/actor';
