import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import type { StoreOrderRepository } from '../../src/application/ports.js';
import { StoreOrder } from '../../src/domain/store-order.js';
import { placedOrder } from './in-memory.js';

const at = new Date('2026-11-24T12:00:00.123Z');
const later = new Date('2026-11-24T12:05:00.456Z');

export interface OpenStoreOrders {
  orders: StoreOrderRepository;
  /** Subjects of the events stored for an order, oldest first (the outbox). */
  eventsOf: (orderId: string) => Promise<string[]>;
  close: () => Promise<void>;
}

/** What every StoreOrderRepository must do; run against the in-memory twin, SQLite and PostgreSQL. */
export function storeOrderRepositoryContract(open: () => Promise<OpenStoreOrders>): void {
  let orders: StoreOrderRepository;
  let eventsOf: (orderId: string) => Promise<string[]>;
  let close: () => Promise<void>;
  const newId = () => `o-${randomUUID()}`;
  const handled = () => ({ consumer: 'store-contract', eventId: randomUUID() });
  const received = (orderId = newId(), storeId = 's-1') => StoreOrder.receive({ ...placedOrder(orderId), storeId }, at);

  before(async () => {
    ({ orders, eventsOf, close } = await open());
  });
  after(async () => {
    await close();
  });

  it('finds nothing for an order it never received', async () => {
    expect(await orders.find(newId())).to.equal(undefined);
  });

  it('gives back a received order exactly as it was', async () => {
    const order = received();
    expect(await orders.save(order, handled())).to.equal(true);
    expect((await orders.find(order.id))?.snapshot()).to.deep.equal(order.snapshot());
  });

  it('stores a change with its event, and refuses a change made from a stale copy', async () => {
    const order = received();
    await orders.save(order);
    const copy = (await orders.find(order.id))!;
    const stale = (await orders.find(order.id))!;
    copy.act('accept', later, randomUUID());
    await orders.save(copy);
    stale.act('reject', later, randomUUID(), 'closed');
    expect(await orders.save(stale).catch((error: Error) => error)).to.have.property('code', 'STORE.CONCURRENT_UPDATE');
    expect((await orders.find(order.id))?.snapshot()).to.include({ status: 'accepted', version: 2 });
    expect(await eventsOf(order.id)).to.deep.equal(['fooddelivery.store.accepted']);
  });

  it('lets exactly one of two concurrent changes from the same version win', async () => {
    const order = received();
    await orders.save(order);
    const [owner, cancellation] = [(await orders.find(order.id))!, (await orders.find(order.id))!];
    owner.act('accept', later, randomUUID());
    cancellation.decideCancellation('cancelled by the customer', later, randomUUID(), 'request-1');
    const results = await Promise.allSettled([orders.save(owner), orders.save(cancellation, handled())]);
    expect(results.filter((result) => result.status === 'fulfilled')).to.have.length(1);
    expect(await eventsOf(order.id)).to.have.length(1);
  });

  it('records a handled event with its effect: the same event a second time writes nothing', async () => {
    const event = handled();
    const order = received();
    expect(await orders.save(order, event)).to.equal(true);
    const again = (await orders.find(order.id))!;
    again.act('accept', later, randomUUID());
    expect(await orders.save(again, event)).to.equal(false);
    expect((await orders.find(order.id))?.status).to.equal('received');
  });

  it('refuses a second new order with the same id (a cancellation that arrived first, say) as a concurrent change', async () => {
    const orderId = newId();
    await orders.save(StoreOrder.cancelledBeforeReceipt(orderId, 's-1', 'c-1', 'too slow', at), handled());
    expect(await orders.save(received(orderId), handled()).catch((error: Error) => error)).to.have.property(
      'code',
      'STORE.CONCURRENT_UPDATE',
    );
    expect((await orders.find(orderId))?.status).to.equal('cancelled');
  });

  it('lists a store’s orders newest first, by status, page by page', async () => {
    const storeId = `s-${randomUUID().slice(0, 8)}`;
    const ids: string[] = [];
    for (let minute = 0; minute < 5; minute++) {
      const order = StoreOrder.receive({ ...placedOrder(newId()), storeId }, new Date(at.getTime() + minute * 60_000));
      await orders.save(order);
      ids.push(order.id);
    }
    const accepted = (await orders.find(ids[0]!))!;
    accepted.act('accept', later, randomUUID());
    await orders.save(accepted);
    const first = await orders.list(storeId, undefined, 3);
    expect(first.orders.map((order) => order.id)).to.deep.equal([ids[4], ids[3], ids[2]]);
    const second = await orders.list(storeId, undefined, 3, first.nextCursor);
    expect(second.orders.map((order) => order.id)).to.deep.equal([ids[1], ids[0]]);
    expect(second.nextCursor).to.equal(undefined);
    expect((await orders.list(storeId, 'accepted', 10)).orders.map((order) => order.id)).to.deep.equal([ids[0]]);
  });
}
