import type { ReceivedEvent } from '@fooddelivery/adapters/jetstream';
import { OrderRejected } from '@fooddelivery/gen/fooddelivery/store/v1/store_events';
import type { StoreProgress } from '../../domain/order.js';
import type { FollowStore } from '../../application/follow-store.js';

export const FOLLOW_STORE_CONSUMER = 'order-follow-store';

const stepBySubject: Record<string, StoreProgress> = {
  'fooddelivery.store.accepted': 'accepted',
  'fooddelivery.store.cooking_started': 'cooking',
  'fooddelivery.store.delivery_started': 'delivering',
  'fooddelivery.store.delivery_completed': 'delivered',
  'fooddelivery.store.rejected': 'rejected',
};

export const followedStoreSubjects = Object.keys(stepBySubject);

export function onStoreEvent(followStore: FollowStore) {
  return async (event: ReceivedEvent) => {
    const step = stepBySubject[event.subject];
    if (!step) return;
    const reason = step === 'rejected' ? OrderRejected.decode(event.payload).reason : '';
    await followStore.execute(event.orderId, step, reason);
  };
}
