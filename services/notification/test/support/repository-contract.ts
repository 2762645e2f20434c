import { expect } from 'chai';
import type { NotificationRepository, TrackingRepository } from '../../src/application/ports.js';
import { Notification } from '../../src/domain/notification.js';
import { OrderTracking } from '../../src/domain/tracking.js';
import { aChange } from './mother.js';

/** What every TrackingRepository must do, run against the in-memory and the KV adapter. */
export function trackingRepositoryContract(make: () => Promise<TrackingRepository>): void {
  let repository: TrackingRepository;
  let n = 0;
  let orderId: string;
  beforeEach(async () => {
    repository = await make();
    // Ids with the characters ids may have but KV keys may not.
    orderId = `order:${++n}.x`;
  });

  it('stores and reads a tracking with its steps, details and version', async () => {
    expect(await repository.find(orderId)).to.equal(undefined);
    const tracking = OrderTracking.start(aChange('paid', { orderId }));
    tracking.apply(aChange('accepted', { orderId }));
    const version = await repository.create(tracking);
    expect(version).to.be.a('number');
    const found = await repository.find(orderId);
    expect(found?.version).to.equal(version);
    expect(found?.value.snapshot()).to.deep.equal(tracking.snapshot());
  });

  it('create refuses an order tracked already; update refuses a stale version', async () => {
    const tracking = OrderTracking.start(aChange('paid', { orderId }));
    const version = (await repository.create(tracking))!;
    expect(await repository.create(OrderTracking.start(aChange('accepted', { orderId })))).to.equal(undefined);
    tracking.apply(aChange('accepted', { orderId }));
    const next = await repository.update(tracking, version);
    expect(next).to.be.greaterThan(version);
    tracking.apply(aChange('cooking', { orderId }));
    expect(await repository.update(tracking, version), 'stale version').to.equal(undefined);
    expect((await repository.find(orderId))?.value.status).to.equal('accepted');
  });

  it('read: nothing for an untracked order, then each version written, for readers', async () => {
    expect(await repository.read(orderId)).to.equal(undefined);
    const tracking = OrderTracking.start(aChange('paid', { orderId }));
    let version = (await repository.create(tracking))!;
    await eventually(async () => (await repository.read(orderId))?.status === 'paid', 'the first version');
    for (const status of ['accepted', 'cooking', 'delivering'] as const) {
      tracking.apply(aChange(status, { orderId }));
      version = (await repository.update(tracking, version))!;
      await eventually(async () => (await repository.read(orderId))?.status === status, status);
    }
    expect((await repository.read(orderId))?.snapshot()).to.deep.equal(tracking.snapshot());
  });

  it('watch: waits for an untracked order, then yields each version until aborted', async () => {
    const stop = new AbortController();
    const seen: string[] = [];
    const watching = (async () => {
      for await (const tracking of repository.watch(orderId, stop.signal)) seen.push(tracking.status);
    })();
    const tracking = OrderTracking.start(aChange('paid', { orderId }));
    let version = (await repository.create(tracking))!;
    await until(() => seen.length >= 1, 'the first version');
    tracking.apply(aChange('accepted', { orderId }));
    version = (await repository.update(tracking, version))!;
    await until(() => seen.length >= 2, 'the second version');
    stop.abort();
    await watching;
    expect(seen).to.deep.equal(['paid', 'accepted']);

    const again = new AbortController();
    const current: string[] = [];
    const second = (async () => {
      for await (const found of repository.watch(orderId, again.signal)) {
        current.push(found.status);
        again.abort();
      }
    })();
    await second;
    expect(current, 'starts with the current tracking').to.deep.equal(['accepted']);
  });
}

/** What every NotificationRepository must do. */
export function notificationRepositoryContract(make: () => Promise<NotificationRepository>): void {
  let repository: NotificationRepository;
  let n = 0;
  let customerId: string;
  beforeEach(async () => {
    repository = await make();
    customerId = `customer:${++n}.k`;
  });
  const aNotification = (orderId: string, status: 'paid' | 'accepted', createdAt: Date) =>
    Notification.record({ orderId, customerId, status, text: `${orderId} ${status}`, channel: 'kakao' }, createdAt);

  it('creates a notification only once per order and status', async () => {
    const first = await repository.createIfAbsent(aNotification('o:1', 'paid', new Date(1_000)));
    expect(first.created).to.equal(true);
    const second = await repository.createIfAbsent(aNotification('o:1', 'paid', new Date(2_000)));
    expect(second.created).to.equal(false);
    expect(second.stored.value.snapshot().createdAt).to.deep.equal(new Date(1_000));
    expect(second.stored.version).to.equal(first.stored.version);
  });

  it('updates with compare-and-set and reads back every field', async () => {
    const { stored } = await repository.createIfAbsent(aNotification('o:2', 'accepted', new Date(1_000)));
    const notification = stored.value;
    notification.startAttempt(new Date(2_000), 10_000);
    const claimed = (await repository.update(notification, stored.version))!;
    expect(claimed).to.be.greaterThan(stored.version);
    expect(await repository.update(notification, stored.version), 'stale').to.equal(undefined);
    notification.delivered(new Date(3_000));
    await repository.update(notification, claimed);
    const found = await repository.find({ customerId, orderId: 'o:2', status: 'accepted' });
    expect(found?.value.snapshot()).to.deep.equal(notification.snapshot());
    expect(found?.value.snapshot()).to.deep.include({ deliveryState: 'sent', attempts: 1, sentAt: new Date(3_000) });
  });

  it('lists a customer’s notifications newest first, page by page, and no one else’s', async () => {
    for (let i = 1; i <= 5; i++) await repository.createIfAbsent(aNotification(`o.${i}`, 'paid', new Date(i * 1_000)));
    await repository.createIfAbsent(
      Notification.record(
        { orderId: 'o.1', customerId: `${customerId}-other`, status: 'paid', text: '', channel: 'kakao' },
        new Date(9_000),
      ),
    );
    const ids: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await repository.listByCustomer(customerId, 2, cursor);
      ids.push(...page.notifications.map((notification) => notification.snapshot().orderId));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(ids).to.deep.equal(['o.5', 'o.4', 'o.3', 'o.2', 'o.1']);
    expect(pages).to.equal(3);
  });
}

/** Waits for an asynchronous condition, checking every 10 ms, for at most 5 s. */
async function eventually(condition: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Waits for a condition, checking every 10 ms, for at most 5 s. */
async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
