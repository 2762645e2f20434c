import { expect } from 'chai';
import { GetOrder } from '../../src/application/get-order.js';
import { ListOrders } from '../../src/application/list-orders.js';
import { Order } from '../../src/domain/order.js';
import { InMemoryOrderLog } from '../support/in-memory.js';
import { orderDetails, placedAt } from '../support/mother.js';

async function logWith(...orders: Array<{ orderId: string; customerId: string; storeId?: string; minutes?: number }>) {
  const log = new InMemoryOrderLog();
  for (const { orderId, customerId, storeId = 's-1', minutes = 0 } of orders) {
    const at = new Date(placedAt.getTime() + minutes * 60_000);
    const attempt = await log.begin(orderId, at);
    await log.append(Order.placePaid(orderDetails({ orderId, customerId, storeId }), at, `e-${orderId}`), attempt);
  }
  return log;
}

describe('GetOrder', () => {
  it('shows an order to its customer, its store’s owner and admins; to anyone else it does not exist', async () => {
    const get = new GetOrder(await logWith({ orderId: 'o-1', customerId: 'c-1' }));
    expect((await get.execute({ subject: 'c-1', role: 'customer' }, 'o-1')).id).to.equal('o-1');
    expect((await get.execute({ subject: 'x', role: 'store_owner', storeId: 's-1' }, 'o-1')).id).to.equal('o-1');
    expect((await get.execute({ subject: 'a', role: 'admin' }, 'o-1')).id).to.equal('o-1');
    for (const stranger of [
      { subject: 'c-2', role: 'customer' as const },
      { subject: 'x', role: 'store_owner' as const, storeId: 's-2' },
    ]) {
      expect(await get.execute(stranger, 'o-1').catch((e: Error) => e)).to.have.property('code', 'ORDER.NOT_FOUND');
    }
  });

  it('answers NOT_FOUND for an order whose payment was abandoned, and INVALID_ARGUMENT for a bad id', async () => {
    const log = new InMemoryOrderLog();
    await log.abandon(await log.begin('o-9', placedAt), 'no order');
    const get = new GetOrder(log);
    expect(await get.execute({ subject: 'a', role: 'admin' }, 'o-9').catch((e: Error) => e)).to.have.property('kind', 'not_found');
    expect(await get.execute({ subject: 'a', role: 'admin' }, 'bad id!').catch((e: Error) => e)).to.include({ field: 'order_id' });
  });
});

describe('ListOrders', () => {
  it('lists a customer’s own orders, newest first, page by page', async () => {
    const log = await logWith(
      { orderId: 'o-1', customerId: 'c-1', minutes: 1 },
      { orderId: 'o-2', customerId: 'c-1', minutes: 2 },
      { orderId: 'o-3', customerId: 'c-2', minutes: 3 },
      { orderId: 'o-4', customerId: 'c-1', minutes: 4 },
    );
    const list = new ListOrders(log);
    const first = await list.execute({ subject: 'c-1', role: 'customer' }, '', 2, '');
    expect(first.orders.map((order) => order.id)).to.deep.equal(['o-4', 'o-2']);
    const second = await list.execute({ subject: 'c-1', role: 'customer' }, '', 2, first.nextCursor ?? '');
    expect(second.orders.map((order) => order.id)).to.deep.equal(['o-1']);
    expect(second.nextCursor).to.equal(undefined);
  });

  it('refuses another customer’s list and bounds the page size', async () => {
    const list = new ListOrders(await logWith());
    expect(await list.execute({ subject: 'c-1', role: 'customer' }, 'c-2', 0, '').catch((e: Error) => e)).to.have.property(
      'kind',
      'permission_denied',
    );
    expect(await list.execute({ subject: 'c-1', role: 'customer' }, '', 101, '').catch((e: Error) => e)).to.include({ field: 'page_size' });
  });
});
