import { expect } from 'chai';
import { GetOrderTracking } from '../../src/application/get-order-tracking.js';
import { ListNotifications } from '../../src/application/list-notifications.js';
import { RecordStatusChange } from '../../src/application/record-status-change.js';
import { FakeClock, InMemoryNotificationRepository, InMemoryTrackingRepository } from '../support/in-memory.js';
import { aChange } from '../support/mother.js';

const admin = { subject: 'ops', role: 'admin' as const };

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  );

describe('GetOrderTracking and ListNotifications (use cases)', () => {
  const trackings = new InMemoryTrackingRepository();
  const notifications = new InMemoryNotificationRepository();
  const clock = new FakeClock();
  const record = new RecordStatusChange(trackings, notifications, clock, { language: 'ko', channel: 'log' });

  before(async () => {
    for (const status of ['paid', 'accepted', 'cooking', 'delivering', 'delivered'] as const) {
      await record.execute(aChange(status));
      clock.advance(1_000);
    }
  });

  it('reads a tracked order; NOT_FOUND for an unknown one; INVALID_ARGUMENT naming order_id for a bad id', async () => {
    const get = new GetOrderTracking(trackings);
    expect((await get.execute(admin, 'o-1')).status).to.equal('delivered');
    expect(await failure(get.execute(admin, 'o-404'))).to.deep.include({ code: 'TRACKING.NOT_FOUND', kind: 'not_found' });
    expect(await failure(get.execute(admin, ''))).to.deep.include({ kind: 'invalid_argument', field: 'order_id' });
    expect(await failure(get.execute(admin, 'a/b'))).to.deep.include({ kind: 'invalid_argument', field: 'order_id' });
  });

  it('pages through a customer’s messages, newest first', async () => {
    const list = new ListNotifications(notifications);
    const first = await list.execute(admin, 'c-1', 2, '');
    expect(first.notifications.map((message) => message.snapshot().status)).to.deep.equal(['delivered', 'delivering']);
    const second = await list.execute(admin, 'c-1', 2, first.nextCursor!);
    const third = await list.execute(admin, 'c-1', 2, second.nextCursor!);
    expect(third.notifications.map((message) => message.snapshot().status)).to.deep.equal(['paid']);
    expect(third.nextCursor).to.equal(undefined);
    expect((await list.execute(admin, 'c-2', 0, '')).notifications).to.deep.equal([]);
  });

  it('shows a customer only their own orders and messages', async () => {
    const get = new GetOrderTracking(trackings);
    const list = new ListNotifications(notifications);
    const owner = { subject: 'c-1', role: 'customer' as const };
    const stranger = { subject: 'c-9', role: 'customer' as const };
    expect((await get.execute(owner, 'o-1')).status).to.equal('delivered');
    expect(await failure(get.execute(stranger, 'o-1'))).to.deep.include({ kind: 'not_found' });
    expect((await list.execute(owner, '', 10, '')).notifications).to.have.length(5);
    expect(await failure(list.execute(stranger, 'c-1', 10, ''))).to.deep.include({ kind: 'permission_denied' });
  });

  it('refuses page sizes above 100 and bad customer ids, naming the field', async () => {
    const list = new ListNotifications(notifications);
    expect(await failure(list.execute(admin, 'c-1', 101, ''))).to.deep.include({ field: 'page_size' });
    expect(await failure(list.execute(admin, 'c-1', -1, ''))).to.deep.include({ field: 'page_size' });
    expect(await failure(list.execute(admin, '', 10, ''))).to.deep.include({ field: 'customer_id' });
  });
});
