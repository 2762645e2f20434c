import type { ReceivedEvent } from '@fooddelivery/adapters/jetstream';
import { OrderCancelled } from '@fooddelivery/gen/fooddelivery/order/v1/order_events';
import { OrderRejected } from '@fooddelivery/gen/fooddelivery/store/v1/store_events';
import { expect } from 'chai';
import {
  onOrderCancelled,
  onOrderRejected,
  ORDER_CANCELLED_CONSUMER,
  ORDER_REJECTED_CONSUMER,
} from '../../src/adapters/events/refund-cancelled-order.consumer.js';
import type { HandledEvent } from '../../src/application/ports.js';
import type { OrderEnded, RefundCancelledOrder } from '../../src/application/refund-cancelled-order.js';

/** Records what the consumers ask of the policy. */
function recordingPolicy() {
  const calls: Array<[OrderEnded, HandledEvent]> = [];
  const policy = {
    execute: async (ended: OrderEnded, event: HandledEvent) => void calls.push([ended, event]),
  } as unknown as RefundCancelledOrder;
  return { policy, calls };
}

const received = (subject: string, eventId: string, payload: Uint8Array): ReceivedEvent => ({
  subject,
  eventType: subject,
  eventId,
  orderId: 'order-1',
  payload,
  deliveryCount: 1,
});

describe('payment consumers', () => {
  it('turn OrderCancelled into a refund of its order, keyed by the event id', async () => {
    const { policy, calls } = recordingPolicy();
    const payload = OrderCancelled.encode(OrderCancelled.fromPartial({ orderId: 'order-1', reason: 'too slow' })).finish();
    await onOrderCancelled(policy)(received('fooddelivery.order.cancelled', 'event-7', payload));
    expect(calls).to.deep.equal([
      [
        { orderId: 'order-1', reason: 'too slow', because: 'cancelled' },
        { consumer: ORDER_CANCELLED_CONSUMER, eventId: 'event-7' },
      ],
    ]);
  });

  it('turn OrderRejected into a refund of its order, keyed by the event id', async () => {
    const { policy, calls } = recordingPolicy();
    const payload = OrderRejected.encode(OrderRejected.fromPartial({ orderId: 'order-1', reason: 'closed' })).finish();
    await onOrderRejected(policy)(received('fooddelivery.store.rejected', 'event-8', payload));
    expect(calls).to.deep.equal([
      [
        { orderId: 'order-1', reason: 'closed', because: 'rejected' },
        { consumer: ORDER_REJECTED_CONSUMER, eventId: 'event-8' },
      ],
    ]);
  });

  it('are durable consumers named after the payment service and their policy', () => {
    expect([ORDER_CANCELLED_CONSUMER, ORDER_REJECTED_CONSUMER]).to.deep.equal([
      'payment-refund-cancelled-order',
      'payment-refund-rejected-order',
    ]);
  });
});
