import { expect } from 'chai';
import { Order } from '../../src/domain/order.js';
import { OrderError } from '../../src/domain/order.errors.js';

const now = new Date('2026-11-24T12:00:00Z');
const paid = () =>
  Order.placePaid(
    {
      orderId: 'o-1',
      customerId: 'c-1',
      storeId: 's-1',
      items: [],
      total: { currencyCode: 'KRW', amountMinor: 1000 },
      deliveryAddress: 'Seoul',
      paymentId: 'p-1',
    },
    now,
    'e-1',
  );

describe('Order', () => {
  it('is placed as paid and raises OrderPlaced with what the store needs', () => {
    const order = paid();
    expect(order.status).to.equal('paid');
    const [event] = order.newEvents();
    expect(event).to.include({ type: 'OrderPlaced', orderId: 'o-1', eventId: 'e-1', paymentId: 'p-1', deliveryAddress: 'Seoul' });
  });

  it('cancels before delivery and raises OrderCancelled with the payment to refund', () => {
    const order = Order.restore({ ...paid().snapshot(), status: 'cooking' });
    order.cancel('changed my mind', now, 'e-2');
    expect(order.status).to.equal('cancelled');
    expect(order.snapshot().version).to.equal(2);
    expect(order.newEvents()[0]).to.include({ type: 'OrderCancelled', paymentId: 'p-1', reason: 'changed my mind' });
  });

  it('ignores a second cancellation', () => {
    const order = Order.restore({ ...paid().snapshot(), status: 'cancelled' });
    order.cancel('again', now, 'e-3');
    expect(order.newEvents()).to.be.empty;
  });

  for (const status of ['delivering', 'delivered', 'rejected'] as const) {
    it(`refuses to cancel a ${status} order, naming the state`, () => {
      const order = Order.restore({ ...paid().snapshot(), status });
      expect(() => order.cancel('late', now, 'e-4'))
        .to.throw(OrderError, status)
        .with.property('kind', 'failed_precondition');
    });
  }
});

describe('Order following the store', () => {
  const at = (status: Parameters<typeof Order.restore>[0]['status']) => Order.restore({ ...paid().snapshot(), status });

  it('moves forward with each step of the store', () => {
    const order = paid();
    for (const step of ['accepted', 'cooking', 'delivering', 'delivered'] as const) expect(order.followStore(step, '', now)).to.equal(true);
    expect(order.status).to.equal('delivered');
  });

  it('ignores a late or repeated step', () => {
    const order = at('delivering');
    expect(order.followStore('cooking', '', now)).to.equal(false);
    expect(order.followStore('delivering', '', now)).to.equal(false);
    expect(order.status).to.equal('delivering');
  });

  it('takes a rejection before delivery, with its reason', () => {
    const order = at('accepted');
    expect(order.followStore('rejected', 'out of chicken', now)).to.equal(true);
    expect(order.snapshot()).to.include({ status: 'rejected', statusReason: 'out of chicken' });
  });

  it('never moves a cancelled order', () => {
    const order = at('cancelled');
    expect(order.followStore('accepted', '', now)).to.equal(false);
    expect(order.status).to.equal('cancelled');
  });
});
