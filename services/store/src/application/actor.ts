import { StoreOrderError } from '../domain/store-order.errors.js';

/** Who asks: a store owner bound to one store, an admin, a customer or another service. */
export interface Actor {
  subject: string;
  role: 'customer' | 'store_owner' | 'admin' | 'service';
  storeId?: string;
}

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
