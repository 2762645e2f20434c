import { stopAll } from '@fooddelivery/stack/processes';
import { temporaryDirectory } from '@fooddelivery/stack/temp-dirs';
import { createLogger } from '@fooddelivery/adapters/logger';
import { startNats, type NatsServer } from '@fooddelivery/stack/nats';
import { freePort } from '@fooddelivery/stack/ports';
import { expect } from 'chai';
import { connect, type NatsConnection } from 'nats';

import { setMaxListeners } from 'node:events';
import { join } from 'node:path';
import { DeliverNotification } from '../../src/application/deliver-notification.js';
import { NotificationDispatcher } from '../../src/adapters/dispatch/notification-dispatcher.js';
import { KvNotificationRepository } from '../../src/adapters/persistence/kv-notification.repository.js';
import { KvTrackingRepository } from '../../src/adapters/persistence/kv-tracking.repository.js';
import { Notification } from '../../src/domain/notification.js';
import { OrderTracking } from '../../src/domain/tracking.js';
import { aChange } from '../support/mother.js';
import { FakeNotifier } from '../support/in-memory.js';
import { notificationRepositoryContract, trackingRepositoryContract } from '../support/repository-contract.js';

describe('JetStream KV repositories against a real nats-server', function () {
  this.timeout(60_000);
  let server: NatsServer;
  let nats: NatsConnection;
  let bucket = 0;
  const kv = (name: string) => nats.jetstream().views.kv(`${name}_${++bucket}`, { history: 1 });

  before(async () => {
    server = await startNats({ dataDir: join(temporaryDirectory('notification-kv-'), 'nats'), port: await freePort() });
    nats = await connect({ servers: server.url });
  });
  after(async () => {
    await nats?.close();
    await server?.stop();
    await stopAll();
  });

  describe('KvTrackingRepository', () => trackingRepositoryContract(async () => new KvTrackingRepository(await kv('tracking'))));
  describe('KvNotificationRepository', () =>
    notificationRepositoryContract(() =>
      KvNotificationRepository.open(nats, { messages: `messages_${++bucket}`, pending: `pending_${bucket}` }),
    ));

  describe('the in-memory read view', () => {
    it('another replica’s writes reach this replica’s reads through the watch, and the view stays within its bound', async () => {
      const bucketKv = await kv('tracking');
      const writer = new KvTrackingRepository(bucketKv);
      const reader = new KvTrackingRepository(bucketKv, { viewMaxEntries: 20 });
      const orders = Array.from({ length: 100 }, (_, i) => `view-${i}`);
      try {
        expect(await reader.read(orders[0]!)).to.equal(undefined);
        const versions = new Map<string, number>();
        for (const orderId of orders) versions.set(orderId, (await writer.create(OrderTracking.start(aChange('paid', { orderId }))))!);
        for (const orderId of orders) expect((await reader.read(orderId))?.status, orderId).to.equal('paid');
        expect(reader.viewSize, 'trackings held').to.be.at.most(20);

        // Written by the other replica after this one has read (and holds) them.
        const recent = orders.slice(-10);
        for (const orderId of recent) {
          const tracking = (await writer.find(orderId))!;
          tracking.value.apply(aChange('accepted', { orderId }));
          await writer.update(tracking.value, tracking.version);
        }
        for (const orderId of recent) {
          await eventually(async () => (await reader.read(orderId))?.status === 'accepted', `${orderId} accepted`);
        }
        expect(reader.viewSize).to.be.at.most(20);
      } finally {
        writer.close();
        reader.close();
      }
    });

    it('is emptied when the connection to NATS is lost, and reads then go to the bucket', async () => {
      const statuses = controllableStatus();
      const repository = new KvTrackingRepository(await kv('tracking'), { viewMaxEntries: 100 }, statuses);
      try {
        await repository.create(OrderTracking.start(aChange('paid', { orderId: 'lost-1' })));
        await eventually(async () => (await repository.read('lost-1'))?.status === 'paid', 'the tracking');
        expect(repository.viewSize).to.equal(1);
        statuses.emit('disconnect');
        await eventually(async () => repository.viewSize === 0, 'the view emptied');
        expect((await repository.read('lost-1'))?.status, 'read from the bucket').to.equal('paid');
        expect(repository.viewSize, 'nothing held while disconnected').to.equal(0);
        statuses.emit('reconnect');
        await eventually(async () => {
          await repository.read('lost-1');
          return repository.viewSize === 1;
        }, 'held again after the reconnection');
      } finally {
        repository.close();
        statuses.end();
      }
    });
  });

  it('500 watches share one KV watch: one consumer on the bucket, each watch sees its own order only', async () => {
    const name = `tracking_${++bucket}`;
    const repository = new KvTrackingRepository(await nats.jetstream().views.kv(name, { history: 1 }));
    const stop = new AbortController();
    setMaxListeners(1_000, stop.signal); // one signal for all 500 watches here; a served watch has its own
    const orders = Array.from({ length: 500 }, (_, i) => `order-${i}`);
    const seen = new Map<string, string[]>();
    const watching = orders.map(async (orderId) => {
      for await (const tracking of repository.watch(orderId, stop.signal)) {
        seen.set(orderId, [...(seen.get(orderId) ?? []), tracking.orderId]);
        if (tracking.isFinished) return;
      }
    });
    try {
      for (const orderId of orders) await repository.create(OrderTracking.start(aChange('paid', { orderId })));
      const jsm = await nats.jetstreamManager();
      const consumers = await jsm.consumers.list(`KV_${name}`).next();
      expect(consumers.length, 'consumers on the bucket while 500 orders are watched').to.equal(1);
      for (let i = 0; i < 500 && [...seen.values()].length < orders.length; i++) await new Promise((resolve) => setTimeout(resolve, 10));
      for (const orderId of orders) expect(seen.get(orderId), orderId).to.deep.equal([orderId]);
    } finally {
      stop.abort();
      await Promise.all(watching);
      repository.close();
    }
  });

  it('the dispatcher sends what is pending, including what was pending before it started, each once', async () => {
    const pendingBucket = `pending_${++bucket}`;
    const repository = await KvNotificationRepository.open(nats, { messages: `messages_${bucket}`, pending: pendingBucket });
    const record = (orderId: string) =>
      repository.createIfAbsent(
        Notification.record({ orderId, customerId: 'c-1', status: 'paid', text: orderId, channel: 'fake' }, new Date()),
      );
    await record('before-start');
    const notifier = new FakeNotifier();
    notifier.failures.push(new Error('provider down'));
    const clock = { now: () => new Date() };
    const dispatcher = new NotificationDispatcher(
      repository,
      new DeliverNotification(repository, notifier, clock, { backoffMs: [50], maxAttempts: 5, leaseMs: 5_000 }),
      createLogger('test', 'silent'),
      { concurrency: 4 },
    );
    dispatcher.start();
    try {
      await record('after-start');
      await record('after-start');
      for (let i = 0; i < 200 && notifier.sent.length < 2; i++) await new Promise((resolve) => setTimeout(resolve, 10));
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(notifier.sent.map((message) => message.notificationId).sort()).to.deep.equal(['after-start:paid', 'before-start:paid']);
      const found = await repository.find({ customerId: 'c-1', orderId: 'before-start', status: 'paid' });
      expect(found?.value.snapshot()).to.deep.include({ deliveryState: 'sent', attempts: 2, lastError: '' });
      const workList = await (await nats.jetstreamManager()).streams.info(`KV_${pendingBucket}`);
      expect(workList.state.messages, 'the work list is empty, without tombstones').to.equal(0);
    } finally {
      await dispatcher.stop();
    }
  });
});

/** A connection's status feed that the test drives. */
function controllableStatus() {
  const waiting: Array<(result: IteratorResult<{ type: string; data: string }>) => void> = [];
  const queued: Array<{ type: string; data: string }> = [];
  let ended = false;
  const iterable = {
    [Symbol.asyncIterator]: () => ({
      next: () =>
        new Promise<IteratorResult<{ type: string; data: string }>>((resolve) => {
          const value = queued.shift();
          if (value) resolve({ value, done: false });
          else if (ended) resolve({ value: undefined, done: true });
          else waiting.push(resolve);
        }),
    }),
  };
  return {
    status: () => iterable as unknown as ReturnType<NatsConnection['status']>,
    emit(type: string) {
      const value = { type, data: '' };
      const resolve = waiting.shift();
      if (resolve) resolve({ value, done: false });
      else queued.push(value);
    },
    end() {
      ended = true;
      for (const resolve of waiting.splice(0)) resolve({ value: undefined, done: true });
    },
  };
}

/** Waits for an asynchronous condition, checking every 10 ms, for at most 5 s. */
async function eventually(condition: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
