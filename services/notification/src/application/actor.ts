import type { Actor } from '@fooddelivery/kernel/actor';
import { NotificationError } from '../domain/notification.errors.js';
import type { OrderTracking } from '../domain/tracking.js';

/** Customers follow their own orders, store owners their store's; others are told the order is not tracked. */
export function maySee(actor: Actor, tracking: OrderTracking): boolean {
  switch (actor.role) {
    case 'admin':
    case 'service':
      return true;
    case 'customer':
      return tracking.customerId === actor.subject;
    case 'store_owner':
      return tracking.snapshot().storeId === actor.storeId;
  }
}

/** Customers read their own messages (an empty id means themselves); admins anyone's. */
export function customerFor(actor: Actor, customerId: string): string {
  if (actor.role === 'admin') return customerId;
  if (actor.role === 'customer' && (customerId === '' || customerId === actor.subject)) return actor.subject;
  throw new NotificationError(
    'NOTIFICATION.PERMISSION_DENIED',
    'permission_denied',
    "reading another customer's notifications is not allowed",
  );
}

export type { Actor } from '@fooddelivery/kernel/actor';
