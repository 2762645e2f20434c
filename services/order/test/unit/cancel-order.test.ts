import { expect } from 'chai';
import { CancelOrder } from '../../src/application/cancel-order.js';
import { FollowStore } from '../../src/application/follow-store.js';
import { Order } from '../../src/domain/order.js';
import { InMemoryOrderLog, manualClock, sequentialIds } from '../support/in-memory.js';
import { orderDetails, placedAt } from '../support/mother.js';

const customer = { subject: 'c-1', role: 'customer' as const };

/** The store, as far as CancelOrder can tell: it decides while CancelOrder waits. */
function setup(storeDecides: (orderId: string, follow: FollowStore) => Promise<void> = async () => {}) {
  const log = new InMemoryOrderLog();
  const clock = manualClock();
  const ids = sequentialIds();
  const follow = new FollowStore(log, clock, ids);
  const cancel = new CancelOrder(log, clock, ids, {
    waitMs: 1_000,
    wait: {
      until: async (orderId: string, ms: number) => {
        clock.advance(ms);
        await storeDecides(orderId, follow);
      },
    },
  });
  return { log, cancel, follow };
}

async function placed(log: InMemoryOrderLog, orderId = 'o-1') {
  const attempt = await log.begin(orderId, placedAt);
  await log.append(Order.placePaid(orderDetails({ orderId }), placedAt, `placed-${orderId}`), attempt);
}

describe('CancelOrder', () => {
  it('asks the store and answers CANCELLED once the store stopped the order', async () => {
    const { log, cancel } = setup((orderId, follow) => follow.execute(orderId, { type: 'cancelled', reason: 'cancelled by the customer' }));
    await placed(log);
    const order = await cancel.execute(customer, 'o-1', 'changed my mind');
    expect(order.snapshot()).to.include({ status: 'cancelled', cancellation: 'accepted' });
    expect(log.eventTypes()).to.deep.equal(['OrderPlaced', 'OrderCancellationRequested', 'OrderCancelled']);
  });

  it('answers FAILED_PRECONDITION naming the state when the store refused: nothing refunded', async () => {
    const { log, cancel } = setup(async (orderId, follow) => {
      await follow.execute(orderId, { type: 'progressed', step: 'delivering' });
      await follow.execute(orderId, { type: 'cancellation_refused', reason: 'delivery has started (delivering)' });
    });
    await placed(log);
    const error = await cancel.execute(customer, 'o-1', '').catch((e: Error & { kind?: string }) => e);
    expect(error).to.include({ kind: 'failed_precondition' });
    expect((error as Error).message).to.match(/is delivering and can no longer be cancelled \(delivery has started/);
    expect(log.eventTypes()).to.not.include('OrderCancelled');
  });

  it('answers with the request open when the store does not decide in time; the decision follows', async () => {
    const { log, cancel, follow } = setup();
    await placed(log);
    const order = await cancel.execute(customer, 'o-1', 'hungry no more');
    expect(order.snapshot()).to.include({ status: 'paid', cancellation: 'requested' });
    await follow.execute('o-1', { type: 'cancelled', reason: 'x' });
    expect(await log.load('o-1')).to.have.nested.property('state.status', 'cancelled');
  });

  it('refuses at once, asking nobody, when the order is known to be delivering', async () => {
    const { log, cancel, follow } = setup();
    await placed(log);
    await follow.execute('o-1', { type: 'progressed', step: 'delivering' });
    const error = await cancel.execute(customer, 'o-1', '').catch((e: Error) => e);
    expect(error).to.have.property('code', 'ORDER.CANNOT_CANCEL');
    expect(log.eventTypes()).to.deep.equal(['OrderPlaced']);
  });

  it('asks once: a second call while the request is open raises nothing new', async () => {
    const { log, cancel } = setup();
    await placed(log);
    await cancel.execute(customer, 'o-1', '');
    await cancel.execute(customer, 'o-1', '');
    expect(log.eventTypes().filter((type) => type === 'OrderCancellationRequested')).to.have.length(1);
  });

  it('hides other customers’ orders and refuses store owners', async () => {
    const { log, cancel } = setup();
    await placed(log);
    expect(await cancel.execute({ subject: 'c-2', role: 'customer' }, 'o-1', '').catch((e: Error) => e)).to.have.property(
      'kind',
      'not_found',
    );
    expect(await cancel.execute({ subject: 'c-2', role: 'customer' }, 'o-9', '').catch((e: Error) => e)).to.have.property(
      'kind',
      'not_found',
    );
    const owner = { subject: 'o', role: 'store_owner' as const, storeId: 's-1' };
    expect(await cancel.execute(owner, 'o-1', '').catch((e: Error) => e)).to.have.property('kind', 'permission_denied');
  });

  it('refuses a reason with control characters, naming the field', async () => {
    const { log, cancel } = setup();
    await placed(log);
    expect(await cancel.execute(customer, 'o-1', 'bye\u0007').catch((e: Error) => e)).to.include({ field: 'reason' });
  });

  it('decides again on the newer order when the store wrote first', async () => {
    const { log, cancel, follow } = setup();
    await placed(log);
    const load = log.load.bind(log);
    let raced = false;
    log.load = async (orderId) => {
      const order = await load(orderId);
      if (!raced) {
        raced = true;
        await follow.execute(orderId, { type: 'progressed', step: 'delivering' });
      }
      return order;
    };
    const error = await cancel.execute(customer, 'o-1', '').catch((e: Error) => e);
    expect(error).to.have.property('code', 'ORDER.CANNOT_CANCEL');
    expect(log.eventTypes()).to.deep.equal(['OrderPlaced']);
  });
});
