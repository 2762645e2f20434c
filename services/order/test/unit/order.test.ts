import { expect } from 'chai';
import { Order } from '../../src/domain/order.js';
import { OrderError } from '../../src/domain/order.errors.js';
import { orderAfter, orderAt, orderDetails, placedAt as now, progressed } from '../support/mother.js';

describe('Order', () => {
  it('is placed as paid, version 1, and raises OrderPlaced with what the store needs', () => {
    const order = Order.placePaid(orderDetails(), now, 'e-1');
    expect(order.snapshot()).to.include({ status: 'paid', version: 1, cancellation: 'none' });
    expect(order.pendingChange()?.change.type).to.equal('placed');
    expect(order.pendingChange()?.events[0]).to.include({ type: 'OrderPlaced', orderId: 'o-1', eventId: 'e-1', paymentId: 'p-1' });
  });

  it('is the fold of its log: each change one version, a void version changes nothing but the version', () => {
    const order = Order.fold([
      { type: 'placed', at: now, details: orderDetails() },
      progressed('accepted'),
      undefined,
      { type: 'cancellation_requested', at: now, reason: 'too slow' },
    ]);
    expect(order?.snapshot()).to.include({ status: 'accepted', cancellation: 'requested', version: 4 });
  });

  it('folds to nothing without a first version', () => {
    expect(Order.fold([])).to.equal(undefined);
  });

  it('allows one change per write', () => {
    const order = orderAt('paid');
    order.followStore('accepted', now);
    expect(() => order.followStore('cooking', now)).to.throw('one change per write');
  });
});

describe('Order cancellation: the customer asks, the store decides', () => {
  it('asks the store while delivery has not started, raising OrderCancellationRequested and refunding nothing yet', () => {
    for (const step of ['paid', 'accepted', 'cooking'] as const) {
      const order = orderAt(step);
      order.requestCancellation('changed my mind', now, 'e-2');
      expect(order.snapshot()).to.include({ status: step, cancellation: 'requested' });
      expect(order.pendingChange()?.events.map((event) => event.type)).to.deep.equal(['OrderCancellationRequested']);
    }
  });

  it('asks once: a second request while one is open, or after the cancellation, changes nothing', () => {
    const open = orderAfter({ type: 'cancellation_requested', at: now, reason: 'x' });
    open.requestCancellation('again', now, 'e-3');
    expect(open.pendingChange()).to.equal(undefined);
    const cancelled = orderAfter({ type: 'cancelled', at: now, reason: 'x' });
    cancelled.requestCancellation('again', now, 'e-3');
    expect(cancelled.pendingChange()).to.equal(undefined);
  });

  for (const step of ['delivering', 'delivered'] as const) {
    it(`refuses at once when the order is known to be ${step}, naming the state`, () => {
      expect(() => orderAt(step).requestCancellation('late', now, 'e-4'))
        .to.throw(OrderError, step)
        .with.property('kind', 'failed_precondition');
    });
  }

  it('refuses a rejected order', () => {
    expect(() => orderAfter({ type: 'rejected', at: now, reason: 'closed' }).requestCancellation('x', now, 'e')).to.throw('rejected');
  });

  it('is cancelled once the store stopped it, raising OrderCancelled with the payment to refund', () => {
    const order = orderAfter(progressed('cooking'), { type: 'cancellation_requested', at: now, reason: 'x' });
    expect(order.storeCancelled('cancelled by the customer: x', now, 'e-5')).to.equal(true);
    expect(order.snapshot()).to.include({ status: 'cancelled', cancellation: 'accepted' });
    expect(order.pendingChange()?.events[0]).to.include({ type: 'OrderCancelled', paymentId: 'p-1' });
  });

  it('goes on when the store refused: the request is refused, the status unchanged', () => {
    const order = orderAfter({ type: 'cancellation_requested', at: now, reason: 'x' }, progressed('delivering'));
    expect(order.cancellationRefused('delivery has started (delivering)', now)).to.equal(true);
    expect(order.snapshot()).to.include({
      status: 'delivering',
      cancellation: 'refused',
      cancellationRefusal: 'delivery has started (delivering)',
    });
    expect(order.pendingChange()?.events).to.deep.equal([]);
  });

  it('ignores a refusal when no request is open', () => {
    expect(orderAt('cooking').cancellationRefused('x', now)).to.equal(false);
  });

  it('is cancelled when the store stopped it without a request (its payment was refunded)', () => {
    const order = orderAt('accepted');
    order.storeCancelled('payment refunded', now, 'e-6');
    expect(order.snapshot()).to.include({ status: 'cancelled', cancellation: 'none' });
  });
});

describe('Order following the store', () => {
  it('moves forward with each step of the store', () => {
    let order = orderAt('paid');
    for (const step of ['accepted', 'cooking', 'delivering', 'delivered'] as const) {
      expect(order.followStore(step, now)).to.equal(true);
      order = Order.restore(order.snapshot());
    }
    expect(order.status).to.equal('delivered');
  });

  it('ignores a late or repeated step', () => {
    const order = orderAt('delivering');
    expect(order.followStore('cooking', now)).to.equal(false);
    expect(order.followStore('delivering', now)).to.equal(false);
    expect(order.pendingChange()).to.equal(undefined);
  });

  it('takes a rejection before delivery, with its reason', () => {
    const order = orderAt('accepted');
    expect(order.rejectedByStore('out of chicken', now)).to.equal(true);
    expect(order.snapshot()).to.include({ status: 'rejected', statusReason: 'out of chicken' });
  });

  it('never moves a cancelled or rejected order', () => {
    for (const order of [orderAfter({ type: 'cancelled', at: now, reason: 'x' }), orderAfter({ type: 'rejected', at: now, reason: 'x' })]) {
      expect(order.followStore('accepted', now)).to.equal(false);
      expect(order.storeCancelled('x', now, 'e')).to.equal(false);
      expect(order.rejectedByStore('x', now)).to.equal(false);
    }
  });
});
