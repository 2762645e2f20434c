import type { ReceivedEvent } from '@fooddelivery/adapters/jetstream';
import {
  CancellationRefused,
  CookingStarted,
  DeliveryCancelled,
  DeliveryCompleted,
  DeliveryStarted,
  OrderAccepted,
  OrderRejected,
} from '@fooddelivery/gen/fooddelivery/store/v1/store_events';
import type { FollowStore, StoreDecision } from '../../application/follow-store.js';

export const FOLLOW_STORE_CONSUMER = 'order-follow-store';

/** Each store event as the decision it reports, with the order id from the payload. */
const decisionBySubject: Record<string, (payload: Uint8Array) => { orderId: string; decision: StoreDecision }> = {
  'fooddelivery.store.accepted': (payload) => progressed(OrderAccepted.decode(payload).orderId, 'accepted'),
  'fooddelivery.store.cooking_started': (payload) => progressed(CookingStarted.decode(payload).orderId, 'cooking'),
  'fooddelivery.store.delivery_started': (payload) => progressed(DeliveryStarted.decode(payload).orderId, 'delivering'),
  'fooddelivery.store.delivery_completed': (payload) => progressed(DeliveryCompleted.decode(payload).orderId, 'delivered'),
  'fooddelivery.store.rejected': (payload) => {
    const event = OrderRejected.decode(payload);
    return { orderId: event.orderId, decision: { type: 'rejected', reason: event.reason } };
  },
  'fooddelivery.store.delivery_cancelled': (payload) => {
    const event = DeliveryCancelled.decode(payload);
    return { orderId: event.orderId, decision: { type: 'cancelled', reason: event.reason } };
  },
  'fooddelivery.store.cancellation_refused': (payload) => {
    const event = CancellationRefused.decode(payload);
    return { orderId: event.orderId, decision: { type: 'cancellation_refused', reason: event.reason } };
  },
};

export const followedStoreSubjects = Object.keys(decisionBySubject);

export function onStoreEvent(followStore: FollowStore) {
  return async (event: ReceivedEvent) => {
    const decode = decisionBySubject[event.subject];
    if (!decode) return;
    const { orderId, decision } = decode(event.payload);
    if (!orderId) throw new Error('the event carries no order id');
    await followStore.execute(orderId, decision);
  };
}

function progressed(orderId: string, step: 'accepted' | 'cooking' | 'delivering' | 'delivered') {
  return { orderId, decision: { type: 'progressed', step } as const };
}
