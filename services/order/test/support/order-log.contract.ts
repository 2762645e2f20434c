import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { AbandonedOrder, type OrderRepository, type PaymentAttempts } from '../../src/application/ports.js';
import { Order } from '../../src/domain/order.js';
import { orderDetails, placedAt } from './mother.js';

export interface OpenOrderLog {
  orders: OrderRepository;
  attempts: PaymentAttempts;
  close(): Promise<void>;
}

/** What every order log must do; run against the in-memory twin and the MongoDB adapter (FerretDB). */
export function orderLogContract(open: () => Promise<OpenOrderLog>): void {
  let orders: OrderRepository;
  let attempts: PaymentAttempts;
  let close: () => Promise<void>;
  const newId = () => `o-${randomUUID()}`;

  before(async () => {
    ({ orders, attempts, close } = await open());
  });
  after(async () => {
    await close();
  });

  async function place(orderId = newId(), customerId = 'c-1', at = placedAt): Promise<Order> {
    const attempt = await attempts.begin(orderId, at);
    const order = Order.placePaid(orderDetails({ orderId, customerId }), at, randomUUID());
    await orders.append(order, attempt);
    return order;
  }

  async function loaded(orderId: string): Promise<Order> {
    const order = await orders.load(orderId);
    if (!(order instanceof Order)) throw new Error(`order ${orderId} is not there`);
    return order;
  }

  it('finds nothing for an order never placed', async () => {
    expect(await orders.load(newId())).to.equal(undefined);
    expect(await orders.load(newId(), true), 'expecting a new order').to.equal(undefined);
  });

  it('answers the same when told the order is probably new: placed, changed since, or abandoned', async () => {
    const order = await place();
    const found = await loaded(order.id);
    found.followStore('accepted', new Date());
    await orders.append(found);
    expect(((await orders.load(order.id, true)) as Order).snapshot()).to.deep.equal(((await orders.load(order.id)) as Order).snapshot());
    const abandonedId = newId();
    await attempts.abandon(await attempts.begin(abandonedId, placedAt), 'no order was stored for this payment', new Date());
    expect(await orders.load(abandonedId, true)).to.be.instanceOf(AbandonedOrder);
  });

  it('gives back a placed order exactly as it was, version 1, nothing pending', async () => {
    const order = await place();
    const found = await loaded(order.id);
    expect(found.snapshot()).to.deep.equal(order.snapshot());
    expect(found.pendingChange()).to.equal(undefined);
  });

  it('appends each change at the next version and folds them back', async () => {
    const order = await place();
    for (const step of ['accepted', 'cooking'] as const) {
      const current = await loaded(order.id);
      current.followStore(step, new Date());
      await orders.append(current);
    }
    const cancelling = await loaded(order.id);
    cancelling.requestCancellation('too slow', new Date(), randomUUID());
    await orders.append(cancelling);
    expect((await loaded(order.id)).snapshot()).to.include({ status: 'cooking', cancellation: 'requested', version: 4 });
  });

  it('lets exactly one of two writers take a version; the other is told to decide again', async () => {
    const order = await place();
    const [first, second] = [await loaded(order.id), await loaded(order.id)];
    first.followStore('accepted', new Date());
    second.requestCancellation('x', new Date(), randomUUID());
    const results = await Promise.allSettled([orders.append(first), orders.append(second)]);
    expect(results.filter((result) => result.status === 'fulfilled')).to.have.length(1);
    const lost = results.find((result) => result.status === 'rejected');
    expect(lost?.status === 'rejected' && lost.reason).to.have.property('code', 'ORDER.CONCURRENT_UPDATE');
    expect((await loaded(order.id)).version).to.equal(2);
  });

  it('never loses an acknowledged write: 50 writers racing for the versions of one order', async () => {
    const order = await place();
    let acknowledged = 0;
    await Promise.all(
      Array.from({ length: 50 }, async () => {
        for (let attempt = 0; attempt < 100; attempt++) {
          const current = await loaded(order.id);
          if (current.version >= 6) return;
          current.followStore((['accepted', 'cooking', 'delivering', 'delivered'] as const)[Math.min(current.version - 1, 3)]!, new Date());
          if (!current.pendingChange()) return;
          try {
            await orders.append(current);
            acknowledged++;
            return;
          } catch {
            // lost the version: decide again
          }
        }
      }),
    );
    const final = await loaded(order.id);
    expect(final.status).to.equal('delivered');
    expect(final.version, 'every acknowledged write is a version of the log').to.equal(1 + acknowledged);
  });

  it('keeps a payment attempt open until closed, and lists it once stale', async () => {
    const orderId = newId();
    const attempt = await attempts.begin(orderId, new Date('2020-01-01T00:00:00Z'));
    expect((await attempts.stale(new Date('2020-01-01T00:01:00Z'), 10_000)).map((a) => a.orderId)).to.include(orderId);
    await attempts.close(attempt);
    expect((await attempts.stale(new Date('2020-01-01T00:01:00Z'), 10_000)).map((a) => a.orderId)).to.not.include(orderId);
  });

  it('does not list an attempt whose order was stored as stale', async () => {
    const orderId = newId();
    const attempt = await attempts.begin(orderId, new Date('2020-01-01T00:00:00Z'));
    await orders.append(Order.placePaid(orderDetails({ orderId }), placedAt, randomUUID()), attempt);
    expect((await attempts.stale(new Date('2020-01-01T00:01:00Z'), 10_000)).map((a) => a.orderId)).to.not.include(orderId);
  });

  it('abandons an attempt by claiming version 1: the order can no longer be stored, and loads as abandoned', async () => {
    const orderId = newId();
    const attempt = await attempts.begin(orderId, placedAt);
    expect(await attempts.abandon(attempt, 'no order was stored for this payment', new Date())).to.equal('abandoned');
    expect(await attempts.abandon(attempt, 'again', new Date()), 'settling again').to.equal('abandoned');
    const late = await orders
      .append(Order.placePaid(orderDetails({ orderId }), placedAt, randomUUID()), attempt)
      .catch((error: Error) => error);
    expect(late).to.have.property('code', 'ORDER.CONCURRENT_UPDATE');
    expect(await orders.load(orderId)).to.be.instanceOf(AbandonedOrder);
  });

  it('does not abandon an order stored first', async () => {
    const orderId = newId();
    const attempt = await attempts.begin(orderId, placedAt);
    await orders.append(Order.placePaid(orderDetails({ orderId }), placedAt, randomUUID()), attempt);
    expect(await attempts.abandon(attempt, 'x', new Date())).to.equal('placed');
    expect(await orders.load(orderId)).to.be.instanceOf(Order);
  });

  it('lists a customer’s orders newest first, page by page, each as its log says', async () => {
    const customer = `c-${randomUUID()}`;
    const placed = [];
    for (let minute = 0; minute < 5; minute++) placed.push(await place(newId(), customer, new Date(placedAt.getTime() + minute * 60_000)));
    const changed = await loaded(placed[4]!.id);
    changed.followStore('accepted', new Date());
    await orders.append(changed);
    const first = await orders.listByCustomer(customer, 3);
    expect(first.orders.map((order) => order.id)).to.deep.equal([placed[4]!.id, placed[3]!.id, placed[2]!.id]);
    expect(first.orders[0]?.status).to.equal('accepted');
    const second = await orders.listByCustomer(customer, 3, first.nextCursor);
    expect(second.orders.map((order) => order.id)).to.deep.equal([placed[1]!.id, placed[0]!.id]);
    expect(second.nextCursor).to.equal(undefined);
  });
}
