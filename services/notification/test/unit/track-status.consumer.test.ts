import type { ReceivedEvent } from '@fooddelivery/adapters/jetstream';
import { createLogger } from '@fooddelivery/adapters/logger';
import { OrderCancelled, OrderPlaced } from '@fooddelivery/gen/fooddelivery/order/v1/order_events';
import { PaymentRefunded } from '@fooddelivery/gen/fooddelivery/payment/v1/payment_events';
import { CookingStarted, OrderRejected } from '@fooddelivery/gen/fooddelivery/store/v1/store_events';
import { expect } from 'chai';
import type { RecordStatusChange } from '../../src/application/record-status-change.js';
import { onStatusEvent, trackingConsumers } from '../../src/adapters/events/track-status.consumer.js';
import { keyToken } from '../../src/adapters/persistence/kv-keys.js';
import type { StatusChange } from '../../src/domain/tracking.js';

const occurredAt = new Date('2025-05-01T12:00:00Z');
const total = { currencyCode: 'KRW', amountMinor: 38_500 };

function received(subject: string, payload: Uint8Array, orderId = 'o-1'): ReceivedEvent {
  return { subject, eventType: subject, eventId: 'e-1', orderId, payload, deliveryCount: 1 };
}

describe('status events consumer (adapter)', () => {
  const changes: StatusChange[] = [];
  const record = { execute: async (change: StatusChange) => (changes.push(change), { viewChanged: true, notification: 'created' }) };
  const handle = onStatusEvent(record as unknown as RecordStatusChange, createLogger('test', 'silent'));
  beforeEach(() => changes.splice(0));

  it('subscribes to the eight customer-facing subjects, one durable notification-<policy> per stream', () => {
    expect(trackingConsumers.map((consumer) => consumer.durable)).to.deep.equal([
      'notification-track-orders',
      'notification-track-refunds',
      'notification-track-store',
    ]);
    expect(trackingConsumers.flatMap((consumer) => consumer.filterSubjects)).to.have.members([
      'fooddelivery.order.placed',
      'fooddelivery.order.cancelled',
      'fooddelivery.payment.refunded',
      'fooddelivery.store.accepted',
      'fooddelivery.store.cooking_started',
      'fooddelivery.store.delivery_started',
      'fooddelivery.store.delivery_completed',
      'fooddelivery.store.rejected',
    ]);
  });

  it('maps each event to its status with what it carries', async () => {
    const base = { eventId: 'e-1', orderId: 'o-1', occurredAt, customerId: 'c-1' };
    await handle(
      received(
        'fooddelivery.order.placed',
        OrderPlaced.encode({ ...base, storeId: 's-1', items: [], total, deliveryAddress: '', paymentId: 'p-1' }).finish(),
      ),
    );
    await handle(received('fooddelivery.store.cooking_started', CookingStarted.encode({ ...base, storeId: 's-1', total }).finish()));
    await handle(
      received('fooddelivery.store.rejected', OrderRejected.encode({ ...base, storeId: 's-1', total, reason: 'closed' }).finish()),
    );
    await handle(
      received(
        'fooddelivery.order.cancelled',
        OrderCancelled.encode({ ...base, storeId: 's-1', paymentId: 'p-1', total, reason: 'late' }).finish(),
      ),
    );
    await handle(
      received(
        'fooddelivery.payment.refunded',
        PaymentRefunded.encode({ ...base, paymentId: 'p-1', amount: total, reason: 'late' }).finish(),
      ),
    );
    expect(changes.map((change) => [change.status, change.reason, change.storeId])).to.deep.equal([
      ['paid', '', 's-1'],
      ['cooking', '', 's-1'],
      ['rejected', 'closed', 's-1'],
      ['cancelled', 'late', 's-1'],
      ['refunded', 'late', ''],
    ]);
    expect(
      changes.every((change) => change.occurredAt.getTime() === occurredAt.getTime() && change.total?.amountMinor === 38_500),
    ).to.equal(true);
  });

  it('fails (for redelivery, then the dead letters) on an event without occurred_at', async () => {
    const payload = CookingStarted.encode({
      eventId: 'e',
      orderId: 'o-1',
      occurredAt: undefined,
      storeId: 's',
      customerId: 'c',
      total,
    }).finish();
    const error = await handle(received('fooddelivery.store.cooking_started', payload)).catch((failure: Error) => failure);
    expect(String(error)).to.match(/occurred_at/);
  });
});

describe('KV key tokens', () => {
  it('keep UUIDs readable and turn other characters into =XX, so distinct ids stay distinct keys', () => {
    expect(keyToken('9f1c2ab4-5d6e-4f70-8a9b-0c1d2e3f4a5b')).to.equal('9f1c2ab4-5d6e-4f70-8a9b-0c1d2e3f4a5b');
    expect(keyToken('order:1.x')).to.equal('order=3a1=2ex');
    expect(keyToken('a.b')).to.not.equal(keyToken('a=2eb'));
    expect(keyToken('주문')).to.match(/^(=[0-9a-f]{2})+$/);
    expect(keyToken('')).to.equal('=');
  });
});
