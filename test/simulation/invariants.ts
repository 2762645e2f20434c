import { AbandonedOrder } from '../../services/order/src/application/ports.js';
import { Order, type OrderStatus } from '../../services/order/src/domain/order.js';
import type { StoreOrderStatus } from '../../services/store/src/domain/store-order.js';
import type { TrackingStatus } from '../../services/notification/src/domain/tracking.js';
import type { World } from './world.js';

/** What each order status goes with at the store, at payment and in the tracking view once quiet. */
const agreeing: Record<OrderStatus, { store: StoreOrderStatus; payment: 'approved' | 'refunded'; tracking: TrackingStatus }> = {
  paid: { store: 'received', payment: 'approved', tracking: 'paid' },
  accepted: { store: 'accepted', payment: 'approved', tracking: 'accepted' },
  cooking: { store: 'cooking', payment: 'approved', tracking: 'cooking' },
  delivering: { store: 'delivering', payment: 'approved', tracking: 'delivering' },
  delivered: { store: 'delivered', payment: 'approved', tracking: 'delivered' },
  cancelled: { store: 'cancelled', payment: 'refunded', tracking: 'refunded' },
  rejected: { store: 'rejected', payment: 'refunded', tracking: 'refunded' },
};

/** The saga's invariants (docs/saga.md), checked on a quiet world; each violation names its order. */
export async function violations(world: World): Promise<string[]> {
  const found: string[] = [];
  for (const orderId of await world.allOrderIds()) {
    const { order, payment, storeOrder, tracking, deliveryStarted } = await world.stateOf(orderId);
    const live = order instanceof Order && order.status !== 'cancelled' && order.status !== 'rejected';
    const refunded = payment?.status === 'refunded';

    // I1 no money without an order.
    if (payment?.status === 'approved' && !live) {
      found.push(
        `I1 ${orderId}: payment approved, order ${order instanceof Order ? order.status : order instanceof AbandonedOrder ? 'abandoned' : 'missing'}`,
      );
    }
    // I2 no food without money.
    if (deliveryStarted && (refunded || !(order instanceof Order)))
      found.push(`I2 ${orderId}: delivery started, payment ${payment?.status ?? 'missing'}`);
    if (storeOrder && storeOrder.status !== 'cancelled' && !(order instanceof Order))
      found.push(`I2 ${orderId}: store order ${storeOrder.status} for an order never stored`);

    // I3 honest answers.
    const told = world.told.cancels.get(orderId);
    if (told === 'cancelled' && (!refunded || deliveryStarted))
      found.push(`I3 ${orderId}: told CANCELLED; payment ${payment?.status}, delivery started ${deliveryStarted}`);
    if (told === 'refused' && order instanceof Order && order.status === 'cancelled')
      found.push(`I3 ${orderId}: told the cancellation was refused, yet cancelled`);
    if (world.told.placed.has(orderId) && !(order instanceof Order))
      found.push(`I3 ${orderId}: told the order was placed, but it is not stored`);

    // I4 convergence.
    if (order instanceof Order) {
      const want = agreeing[order.status];
      const state = order.snapshot();
      if (state.cancellation === 'requested') found.push(`I4 ${orderId}: the cancellation was never decided`);
      if (storeOrder?.status !== want.store || payment?.status !== want.payment || tracking?.status !== want.tracking) {
        found.push(
          `I4 ${orderId}: order ${order.status}, store ${storeOrder?.status}, payment ${payment?.status}, tracking ${tracking?.status}`,
        );
      }
    } else if (tracking && (tracking.status !== 'refunded' || !refunded)) {
      // A payment taken for an order that was never stored is refunded, and the customer is told so; nothing else.
      found.push(`I4 ${orderId}: tracked (${tracking.status}) but never stored`);
    }
  }
  return found;
}
