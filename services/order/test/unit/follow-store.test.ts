import { expect } from 'chai';
import { FollowStore } from '../../src/application/follow-store.js';
import { Order } from '../../src/domain/order.js';
import { InMemoryOrderLog, fixedClock, sequentialIds } from '../support/in-memory.js';
import { orderDetails, placedAt } from '../support/mother.js';

describe('FollowStore', () => {
  const setup = async () => {
    const log = new InMemoryOrderLog();
    const attempt = await log.begin('o-1', placedAt);
    await log.append(Order.placePaid(orderDetails(), placedAt, 'e-0'), attempt);
    return { log, follow: new FollowStore(log, fixedClock(), sequentialIds()) };
  };
  const status = async (log: InMemoryOrderLog) => ((await log.load('o-1')) as Order).snapshot();

  it('appends one entry per step, and none for a repeated or late one', async () => {
    const { log, follow } = await setup();
    await follow.execute('o-1', { type: 'progressed', step: 'accepted' });
    await follow.execute('o-1', { type: 'progressed', step: 'accepted' });
    await follow.execute('o-1', { type: 'progressed', step: 'cooking' });
    await follow.execute('o-1', { type: 'progressed', step: 'accepted' });
    expect(await status(log)).to.include({ status: 'cooking', version: 3 });
  });

  it('takes a rejection with its reason; payment refunds on the store’s own event, so no event here', async () => {
    const { log, follow } = await setup();
    await follow.execute('o-1', { type: 'rejected', reason: 'out of chicken' });
    expect(await status(log)).to.include({ status: 'rejected', statusReason: 'out of chicken' });
    expect(log.eventTypes()).to.deep.equal(['OrderPlaced']);
  });

  it('turns the store’s stop into OrderCancelled (payment refunds on it), once', async () => {
    const { log, follow } = await setup();
    await follow.execute('o-1', { type: 'cancelled', reason: 'cancelled by the customer' });
    await follow.execute('o-1', { type: 'cancelled', reason: 'cancelled by the customer' });
    expect(log.eventTypes()).to.deep.equal(['OrderPlaced', 'OrderCancelled']);
  });

  it('fails for an order it does not have, so the event is redelivered', async () => {
    const { follow } = await setup();
    expect(await follow.execute('o-2', { type: 'progressed', step: 'accepted' }).catch((e: Error) => e)).to.have.property(
      'kind',
      'unavailable',
    );
  });

  it('loads again and decides again when another write took the version first', async () => {
    const { log, follow } = await setup();
    const append = log.append.bind(log);
    let raced = false;
    log.append = async (order, attempt) => {
      if (!raced) {
        raced = true;
        const other = (await log.load('o-1')) as Order;
        other.requestCancellation('x', placedAt, 'e-x');
        await append(other);
      }
      return append(order, attempt);
    };
    await follow.execute('o-1', { type: 'progressed', step: 'accepted' });
    expect(await status(log)).to.include({ status: 'accepted', cancellation: 'requested', version: 3 });
  });
});
