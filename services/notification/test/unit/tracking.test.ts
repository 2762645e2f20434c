import { expect } from 'chai';
import { OrderTracking, type StatusChange, type TrackingStatus } from '../../src/domain/tracking.js';
import { aChange, permutations } from '../support/mother.js';

function replay(changes: StatusChange[]): OrderTracking {
  const [first, ...rest] = changes;
  const tracking = OrderTracking.start(first!);
  for (const change of rest) tracking.apply(change);
  return tracking;
}

const view = (tracking: OrderTracking) => ({
  ...tracking.snapshot(),
  status: tracking.status,
  timeline: tracking.timeline.map((step) => step.status),
  updatedAt: tracking.updatedAt.toISOString(),
});

describe('OrderTracking (domain)', () => {
  const happy: TrackingStatus[] = ['paid', 'accepted', 'cooking', 'delivering', 'delivered'];

  it('follows an order step by step: status, timeline oldest first, updatedAt the latest step', () => {
    const tracking = OrderTracking.start(aChange('paid'));
    expect(tracking.status).to.equal('paid');
    for (const status of happy.slice(1)) {
      expect(tracking.apply(aChange(status))).to.equal(true);
      expect(tracking.status).to.equal(status);
    }
    expect(tracking.timeline.map((step) => step.status)).to.deep.equal(happy);
    expect(tracking.updatedAt).to.deep.equal(aChange('delivered').occurredAt);
    expect(tracking.snapshot()).to.deep.include({ customerId: 'c-1', storeId: 's-1', total: { currencyCode: 'KRW', amountMinor: 38_500 } });
    expect(tracking.isFinished).to.equal(true);
  });

  it('converges to the same view under every arrival order of the happy path (120 orders)', () => {
    const expected = view(replay(happy.map((status) => aChange(status))));
    for (const order of permutations(happy)) {
      expect(view(replay(order.map((status) => aChange(status)))), order.join(' → ')).to.deep.equal(expected);
    }
  });

  it('converges under every arrival order with duplicates anywhere (720 orders of 6 events, each step also repeated)', () => {
    const events: TrackingStatus[] = ['paid', 'accepted', 'cooking', 'cancelled', 'rejected', 'refunded'];
    const expected = view(replay(events.map((status) => aChange(status))));
    expect(expected.status).to.equal('refunded');
    let checked = 0;
    for (const order of permutations(events)) {
      const changes = order.map((status) => aChange(status));
      // The same event again, right away and at the end (redelivery, catch-up).
      const withDuplicates = [...changes.slice(0, 2), changes[0]!, ...changes.slice(2), changes[checked % changes.length]!];
      expect(view(replay(withDuplicates)), order.join(' → ')).to.deep.equal(expected);
      checked++;
    }
    expect(checked).to.equal(720);
  });

  it('a repeated step changes nothing', () => {
    const tracking = OrderTracking.start(aChange('paid'));
    tracking.apply(aChange('accepted'));
    const before = view(tracking);
    expect(tracking.apply(aChange('accepted'))).to.equal(false);
    expect(tracking.apply(aChange('paid'))).to.equal(false);
    expect(view(tracking)).to.deep.equal(before);
  });

  it('two reports of one step at different times keep the earliest, whichever came first', () => {
    const early = aChange('accepted');
    const late = aChange('accepted', { occurredAt: new Date(early.occurredAt.getTime() + 1_000) });
    const a = replay([aChange('paid'), early, late]);
    const b = replay([aChange('paid'), late, early]);
    expect(view(a)).to.deep.equal(view(b));
    expect(a.timeline[1]!.occurredAt).to.deep.equal(early.occurredAt);
  });

  it('derives the status by rank, not by arrival: a late "cooking" does not move a delivered order back', () => {
    const tracking = replay([aChange('paid'), aChange('delivered'), aChange('cooking')]);
    expect(tracking.status).to.equal('delivered');
    expect(tracking.timeline.map((step) => step.status)).to.deep.equal(['paid', 'cooking', 'delivered']);
  });

  it('ranks rejected and cancelled above the store steps, and refunded above all', () => {
    expect(replay([aChange('paid'), aChange('accepted'), aChange('cancelled')]).status).to.equal('cancelled');
    expect(replay([aChange('rejected'), aChange('paid')]).status).to.equal('rejected');
    expect(replay([aChange('cancelled'), aChange('rejected')]).status).to.equal('rejected');
    expect(replay([aChange('refunded'), aChange('cancelled'), aChange('paid')]).status).to.equal('refunded');
  });

  it('a store event before OrderPlaced creates the tracking from what it carries; OrderPlaced then has the last word', () => {
    const tracking = OrderTracking.start(aChange('accepted', { customerId: 'c-store', storeId: 's-store' }));
    expect(tracking.snapshot()).to.deep.include({ customerId: 'c-store', storeId: 's-store' });
    expect(tracking.status).to.equal('accepted');
    tracking.apply(aChange('paid'));
    expect(tracking.snapshot()).to.deep.include({ customerId: 'c-1', storeId: 's-1' });
    expect(tracking.status).to.equal('accepted');
  });

  it('a refund, which names no store, fills in what is missing and clears nothing', () => {
    const tracking = OrderTracking.start(aChange('refunded', { total: { currencyCode: 'KRW', amountMinor: 100 } }));
    expect(tracking.snapshot().storeId).to.equal('');
    tracking.apply(aChange('rejected'));
    expect(tracking.snapshot()).to.deep.include({ storeId: 's-1', total: { currencyCode: 'KRW', amountMinor: 100 } });
  });

  it('is finished once delivered, or cancelled or rejected and refunded; not before the refund, nor at a refund alone', () => {
    expect(replay([aChange('paid'), aChange('cancelled')]).isFinished).to.equal(false);
    expect(replay([aChange('paid'), aChange('rejected')]).isFinished).to.equal(false);
    expect(replay([aChange('paid'), aChange('refunded')]).isFinished, 'the cancellation is still on its way').to.equal(false);
    expect(replay([aChange('refunded'), aChange('cancelled')]).isFinished).to.equal(true);
    expect(replay([aChange('paid'), aChange('rejected'), aChange('refunded')]).isFinished).to.equal(true);
    expect(replay([aChange('paid'), aChange('delivering')]).isFinished).to.equal(false);
    expect(replay([aChange('delivered')]).isFinished).to.equal(true);
  });

  it('keeps reasons with their steps', () => {
    const tracking = replay([aChange('paid'), aChange('rejected'), aChange('refunded', { reason: 'order rejected' })]);
    expect(tracking.timeline.map((step) => step.reason)).to.deep.equal(['', 'out of chicken', 'order rejected']);
  });

  it('refuses a change of another order', () => {
    expect(() => OrderTracking.start(aChange('paid')).apply(aChange('accepted', { orderId: 'o-2' }))).to.throw(/o-2/);
  });
});
