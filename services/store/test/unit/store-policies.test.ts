import { expect } from 'chai';
import { DecideCancellation } from '../../src/application/decide-cancellation.js';
import { ReceivePlacedOrder } from '../../src/application/receive-placed-order.js';
import { StopRefundedOrder } from '../../src/application/stop-refunded-order.js';
import { ActOnStoreOrder } from '../../src/application/act-on-store-order.js';
import { ListStoreOrders } from '../../src/application/list-store-orders.js';
import { InMemoryStoreOrderRepository, fixedClock, placedOrder, sequentialIds } from '../support/in-memory.js';

const owner = { subject: 'owner-1', role: 'store_owner' as const, storeId: 's-1' };
let events = 0;
const handled = (consumer = 'test') => ({ consumer, eventId: `event-${++events}` });

function setup() {
  const orders = new InMemoryStoreOrderRepository();
  const clock = fixedClock();
  const ids = sequentialIds();
  return {
    orders,
    receive: new ReceivePlacedOrder(orders, clock),
    decide: new DecideCancellation(orders, clock, ids),
    stop: new StopRefundedOrder(orders, clock, ids),
    act: new ActOnStoreOrder(orders, clock, ids),
    list: new ListStoreOrders(orders),
  };
}
const request = { orderId: 'o-1', storeId: 's-1', customerId: 'c-1', reason: 'changed my mind' };

describe('ReceivePlacedOrder', () => {
  it('takes a placed order once, as received', async () => {
    const { orders, receive } = setup();
    const event = handled();
    await receive.execute(placedOrder(), event);
    await receive.execute(placedOrder(), event);
    await receive.execute(placedOrder(), handled());
    expect((await orders.find('o-1'))?.status).to.equal('received');
    expect(orders.rows.size).to.equal(1);
  });

  it('opens nothing for an order stopped before it arrived', async () => {
    const { orders, receive, decide } = setup();
    await decide.execute(request, handled());
    await receive.execute(placedOrder(), handled());
    expect((await orders.find('o-1'))?.status).to.equal('cancelled');
  });
});

describe('DecideCancellation', () => {
  it('stops the order before delivery and announces it (DeliveryCancelled), with the customer’s reason', async () => {
    const { orders, receive, decide, act } = setup();
    await receive.execute(placedOrder(), handled());
    await act.execute(owner, 'accept', 's-1', 'o-1');
    await decide.execute(request, handled());
    expect((await orders.find('o-1'))?.snapshot()).to.include({
      status: 'cancelled',
      statusReason: 'cancelled by the customer: changed my mind',
    });
    expect(orders.events).to.deep.equal(['OrderAccepted', 'DeliveryCancelled']);
  });

  it('refuses once delivery has started, changing nothing (CancellationRefused)', async () => {
    const { orders, receive, decide, act } = setup();
    await receive.execute(placedOrder(), handled());
    for (const step of ['accept', 'startCooking', 'startDelivery'] as const) await act.execute(owner, step, 's-1', 'o-1');
    await decide.execute(request, handled());
    expect((await orders.find('o-1'))?.status).to.equal('delivering');
    expect(orders.events.at(-1)).to.equal('CancellationRefused');
  });

  it('stops an order not received yet, and announces it', async () => {
    const { orders, decide } = setup();
    await decide.execute(request, handled());
    expect((await orders.find('o-1'))?.status).to.equal('cancelled');
    expect(orders.events).to.deep.equal(['DeliveryCancelled']);
  });

  it('has no second effect for a redelivered request', async () => {
    const { orders, receive, decide } = setup();
    await receive.execute(placedOrder(), handled());
    const event = handled();
    await decide.execute(request, event);
    await decide.execute(request, event);
    expect(orders.events).to.deep.equal(['DeliveryCancelled']);
  });
});

describe('one authority: the store owner and a cancellation racing for the same order', () => {
  it('ends with exactly one of them: delivering and refused, or cancelled and delivery refused', async () => {
    for (let race = 0; race < 50; race++) {
      const { orders, receive, decide, act } = setup();
      await receive.execute(placedOrder(), handled());
      await act.execute(owner, 'accept', 's-1', 'o-1');
      await act.execute(owner, 'startCooking', 's-1', 'o-1');
      const [delivery] = await Promise.allSettled([act.execute(owner, 'startDelivery', 's-1', 'o-1'), decide.execute(request, handled())]);
      const final = (await orders.find('o-1'))?.status;
      if (final === 'delivering') {
        expect(delivery.status).to.equal('fulfilled');
        expect(orders.events).to.include('CancellationRefused').and.not.include('DeliveryCancelled');
      } else {
        expect(final).to.equal('cancelled');
        expect(delivery.status).to.equal('rejected');
        expect(orders.events).to.include('DeliveryCancelled').and.not.include('DeliveryStarted');
      }
    }
  });
});

describe('StopRefundedOrder', () => {
  it('ends an order whose payment was refunded: the owner can no longer accept, cook or deliver it, and sees why', async () => {
    const { orders, receive, stop, act } = setup();
    await receive.execute(placedOrder(), handled());
    await stop.execute({ orderId: 'o-1', customerId: 'c-1', reason: 'no order was stored for this payment' }, handled());
    expect((await orders.find('o-1'))?.snapshot()).to.include({
      status: 'cancelled',
      statusReason: 'payment refunded: no order was stored for this payment',
    });
    expect(await act.execute(owner, 'accept', 's-1', 'o-1').catch((e: Error) => e)).to.have.property('code', 'STORE.ILLEGAL_TRANSITION');
  });

  it('keeps a refund that arrives before the order, so the order is never opened', async () => {
    const { orders, receive, stop } = setup();
    await stop.execute({ orderId: 'o-1', customerId: 'c-1', reason: 'x' }, handled());
    await receive.execute(placedOrder(), handled());
    expect((await orders.find('o-1'))?.status).to.equal('cancelled');
    expect(orders.events).to.have.lengthOf(0);
  });

  it('leaves an order already out for delivery as it is', async () => {
    const { orders, receive, stop, act } = setup();
    await receive.execute(placedOrder(), handled());
    for (const step of ['accept', 'startCooking', 'startDelivery'] as const) await act.execute(owner, step, 's-1', 'o-1');
    await stop.execute({ orderId: 'o-1', customerId: 'c-1', reason: 'x' }, handled());
    expect((await orders.find('o-1'))?.status).to.equal('delivering');
  });
});

describe('ActOnStoreOrder and ListStoreOrders', () => {
  it('acts only for the owner’s own store; another store’s order does not exist for them', async () => {
    const { receive, act } = setup();
    await receive.execute(placedOrder(), handled());
    const other = { subject: 'owner-2', role: 'store_owner' as const, storeId: 's-2' };
    expect(await act.execute(other, 'accept', 's-1', 'o-1').catch((e: Error) => e)).to.have.property('kind', 'permission_denied');
    expect(await act.execute(other, 'accept', 's-2', 'o-1').catch((e: Error) => e)).to.have.property('kind', 'not_found');
  });

  it('lists the store’s orders, filtered by status', async () => {
    const { receive, act, list } = setup();
    await receive.execute(placedOrder('o-1'), handled());
    await receive.execute(placedOrder('o-2'), handled());
    await act.execute(owner, 'accept', 's-1', 'o-2');
    const received = await list.execute(owner, 's-1', 'received', 10, '');
    expect(received.orders.map((order) => order.id)).to.deep.equal(['o-1']);
  });

  it('treats repeating the last step as done and rejects with a reason', async () => {
    const { orders, receive, act } = setup();
    await receive.execute(placedOrder(), handled());
    await act.execute(owner, 'accept', 's-1', 'o-1');
    expect((await act.execute(owner, 'accept', 's-1', 'o-1')).status).to.equal('accepted');
    await act.execute(owner, 'reject', 's-1', 'o-1', 'out of dumplings');
    expect((await orders.find('o-1'))?.snapshot()).to.include({ status: 'rejected', statusReason: 'out of dumplings' });
  });
});
