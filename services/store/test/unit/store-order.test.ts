import { expect } from 'chai';
import { StoreOrder, type StoreOrderStatus } from '../../src/domain/store-order.js';
import { StoreOrderError } from '../../src/domain/store-order.errors.js';

const now = new Date('2026-11-24T12:00:00Z');
const received = () =>
  StoreOrder.receive(
    {
      orderId: 'o-1',
      storeId: 's-1',
      customerId: 'c-1',
      items: [],
      total: { currencyCode: 'KRW', amountMinor: 9000 },
      deliveryAddress: 'Busan',
    },
    now,
  );
const inStatus = (status: StoreOrderStatus) => StoreOrder.restore({ ...received().snapshot(), status });

describe('StoreOrder', () => {
  it('goes received → accepted → cooking → delivering → delivered, raising one event per step', () => {
    const order = received();
    order.act('accept', now, 'e-1');
    order.act('startCooking', now, 'e-2');
    order.act('startDelivery', now, 'e-3');
    order.act('completeDelivery', now, 'e-4');
    expect(order.status).to.equal('delivered');
    expect(order.newEvents().map((event) => event.type)).to.deep.equal([
      'OrderAccepted',
      'CookingStarted',
      'DeliveryStarted',
      'DeliveryCompleted',
    ]);
    expect(order.snapshot().version).to.equal(5);
  });

  it('refuses to deliver before cooking, naming the current state', () => {
    const order = inStatus('accepted');
    expect(() => order.act('startDelivery', now, 'e'))
      .to.throw(StoreOrderError, 'it is accepted')
      .with.property('kind', 'failed_precondition');
  });

  it('refuses any step on a cancelled order', () => {
    for (const action of ['accept', 'startCooking', 'startDelivery', 'completeDelivery', 'reject'] as const) {
      expect(() => inStatus('cancelled').act(action, now, 'e')).to.throw('it is cancelled');
    }
  });

  it('treats repeating the last step as done', () => {
    const order = inStatus('accepted');
    order.act('accept', now, 'e');
    expect(order.newEvents()).to.have.lengthOf(0);
  });

  it('rejects a received or accepted order with the reason', () => {
    const order = inStatus('accepted');
    order.act('reject', now, 'e', 'out of chicken');
    expect(order.newEvents()[0]).to.include({ type: 'OrderRejected', reason: 'out of chicken' });
    expect(() => inStatus('cooking').act('reject', now, 'e')).to.throw('it is cooking');
  });

  it('decides a cancellation before delivery: stops the order, linking the request that caused it', () => {
    for (const status of ['received', 'accepted', 'cooking'] as const) {
      const order = inStatus(status);
      expect(order.decideCancellation('cancelled by the customer', now, 'e-9', 'request-1')).to.equal('cancelled');
      expect(order.status).to.equal('cancelled');
      expect(order.newEvents()[0]).to.include({ type: 'DeliveryCancelled', causationId: 'request-1' });
    }
  });

  it('refuses a cancellation once delivery started or the order was rejected, saying why; nothing changes', () => {
    for (const status of ['delivering', 'delivered', 'rejected'] as const) {
      const order = inStatus(status);
      expect(order.decideCancellation('late', now, 'e', 'c')).to.equal('refused');
      expect(order.status).to.equal(status);
      expect(order.newEvents()[0]).to.include({ type: 'CancellationRefused', refusedInStatus: status, causationId: 'c' });
    }
  });

  it('leaves a cancelled order as it is when asked again', () => {
    const order = inStatus('cancelled');
    expect(order.decideCancellation('again', now, 'e', 'c')).to.equal('unchanged');
    expect(order.newEvents()).to.have.lengthOf(0);
  });

  it('stops for a refund before delivery only', () => {
    const cooking = inStatus('cooking');
    expect(cooking.stopForRefund('payment refunded: x', now, 'e', 'refund-1')).to.equal(true);
    expect(cooking.snapshot()).to.include({ status: 'cancelled', statusReason: 'payment refunded: x' });
    for (const status of ['delivering', 'delivered', 'rejected', 'cancelled'] as const)
      expect(inStatus(status).stopForRefund('x', now, 'e', 'c')).to.equal(false);
  });

  it('remembers a cancellation that arrived before the order, announcing it when asked to', () => {
    expect(StoreOrder.cancelledBeforeReceipt('o-2', 's-1', 'c-1', 'too slow', now).newEvents()).to.have.lengthOf(0);
    const announced = StoreOrder.cancelledBeforeReceipt('o-2', 's-1', 'c-1', 'too slow', now, { eventId: 'e', causationId: 'r' });
    expect(announced.status).to.equal('cancelled');
    expect(announced.newEvents()[0]).to.include({ type: 'DeliveryCancelled', causationId: 'r' });
  });
});
