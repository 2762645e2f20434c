import { expect } from 'chai';
import { DeliverNotification } from '../../src/application/deliver-notification.js';
import { NotifierError } from '../../src/application/ports.js';
import { Notification } from '../../src/domain/notification.js';
import { FakeClock, FakeNotifier, InMemoryNotificationRepository } from '../support/in-memory.js';

const key = { customerId: 'c-1', orderId: 'o-1', status: 'accepted' as const };

describe('DeliverNotification (use case)', () => {
  let notifications: InMemoryNotificationRepository;
  let notifier: FakeNotifier;
  let clock: FakeClock;
  let deliver: DeliverNotification;

  beforeEach(async () => {
    notifications = new InMemoryNotificationRepository();
    notifier = new FakeNotifier();
    clock = new FakeClock();
    deliver = new DeliverNotification(notifications, notifier, clock, { backoffMs: [1_000, 5_000], maxAttempts: 3, leaseMs: 10_000 });
    await notifications.createIfAbsent(
      Notification.record({ ...key, text: 'The store accepted your order.', channel: 'fake' }, clock.now()),
    );
  });

  const stored = async () => (await notifications.find(key))!.value.snapshot();

  it('sends a due message with its id as idempotency key and marks it sent; it leaves the work list', async () => {
    const result = await deliver.execute(key);
    expect(result.retryAt).to.equal(undefined);
    expect(notifier.sent).to.deep.equal([{ notificationId: 'o-1:accepted', recipient: 'c-1', text: 'The store accepted your order.' }]);
    expect(await stored()).to.deep.include({ deliveryState: 'sent', attempts: 1, sentAt: clock.now() });
    expect(notifications.pending.size).to.equal(0);
    expect(await deliver.execute(key), 'nothing left to do').to.deep.equal({});
    expect(notifier.sent).to.have.length(1);
  });

  it('a failure is kept with its error and retried after the backoff, not before', async () => {
    notifier.failures.push(new NotifierError('message API answered 500', false));
    const first = await deliver.execute(key);
    expect(first.retryAt).to.deep.equal(new Date(clock.now().getTime() + 1_000));
    expect(await stored()).to.deep.include({ deliveryState: 'pending', attempts: 1, lastError: 'message API answered 500' });

    clock.advance(500);
    expect((await deliver.execute(key)).attempted, 'not due yet').to.equal(undefined);
    expect(notifier.sent).to.have.length(0);

    clock.advance(500);
    expect((await deliver.execute(key)).retryAt).to.equal(undefined);
    expect(await stored()).to.deep.include({ deliveryState: 'sent', attempts: 2, lastError: '' });
    expect(notifier.sent).to.have.length(1);
  });

  it('gives up after the last attempt and keeps the message as failed', async () => {
    for (let i = 0; i < 3; i++) notifier.failures.push(new Error('connect ECONNREFUSED'));
    for (let i = 0; i < 3; i++) {
      await deliver.execute(key);
      clock.advance(5_000);
    }
    expect(await stored()).to.deep.include({ deliveryState: 'failed', attempts: 3, lastError: 'connect ECONNREFUSED' });
    expect(notifications.pending.size).to.equal(0);
    expect(await deliver.execute(key)).to.deep.equal({});
  });

  it('gives up at once when the provider says retrying cannot help', async () => {
    notifier.failures.push(new NotifierError('message API answered 400: unknown recipient', true));
    expect((await deliver.execute(key)).retryAt).to.equal(undefined);
    expect(await stored()).to.deep.include({ deliveryState: 'failed', attempts: 1 });
  });

  it('leaves a message alone while another dispatcher holds its lease', async () => {
    const other = (await notifications.find(key))!.value;
    other.startAttempt(clock.now(), 10_000);
    notifications.overwrite(other);
    const result = await deliver.execute(key);
    expect(result.retryAt).to.deep.equal(new Date(clock.now().getTime() + 10_000));
    expect(notifier.sent).to.have.length(0);
  });

  it('does not send when another dispatcher claims it first (compare-and-set on the claim)', async () => {
    notifications.beforeUpdate = () => {
      notifications.beforeUpdate = undefined;
      const other = Notification.restore({ ...notifications.all()[0]! });
      other.startAttempt(clock.now(), 10_000);
      notifications.overwrite(other);
    };
    const result = await deliver.execute(key);
    expect(result).to.deep.equal({ retryAt: clock.now() });
    expect(notifier.sent).to.have.length(0);
  });
});
