import type { OutboxItem } from '@fooddelivery/adapters/outbox';
import { startFerretDb, type FerretDb } from '@fooddelivery/stack/ferretdb';
import { freePort } from '@fooddelivery/stack/ports';
import { expect } from 'chai';
import type { CommandStartedEvent, Document } from 'mongodb';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@fooddelivery/adapters/logger';
import { migrateLegacyLayout } from '../../src/adapters/persistence/legacy-layout.js';
import { MongoOrderOutbox } from '../../src/adapters/persistence/mongo-order-outbox.js';
import { MongoOrderRepository } from '../../src/adapters/persistence/mongo-order.repository.js';
import { MongoPaymentAttempts } from '../../src/adapters/persistence/mongo-payment-attempts.js';
import { Collections, logId, openOrderDatabase, type OrderDatabase } from '../../src/adapters/persistence/order-database.js';
import { Order } from '../../src/domain/order.js';
import { orderDetails, placedAt } from '../support/mother.js';
import { orderLogContract } from '../support/order-log.contract.js';

const silent = createLogger('order-test', 'silent');

/** Every command the order service sends, to check it uses only what FerretDB guarantees. */
class CommandWatch {
  readonly commands: Array<{ name: string; command: Document }> = [];
  record = (event: CommandStartedEvent) => this.commands.push({ name: event.commandName, command: event.command });
}

describe('the order log on FerretDB', function () {
  this.timeout(60_000);
  let dir: string;
  let ferretDb: FerretDb;
  const watch = new CommandWatch();
  const databases: OrderDatabase[] = [];
  const committed: OutboxItem[] = [];

  async function open(name = `order_${randomUUID().slice(0, 8)}`): Promise<OrderDatabase> {
    const database = await openOrderDatabase(ferretDb.url, name, { timeoutMs: 10_000, monitorCommands: true });
    database.client.on('commandStarted', watch.record);
    databases.push(database);
    return database;
  }

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'order-log-'));
    ferretDb = await startFerretDb({ dataDir: join(dir, 'ferretdb'), port: await freePort() });
  });
  after(async () => {
    for (const database of databases) await database.close();
    await ferretDb?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  describe('the order log contract', () => {
    orderLogContract(async () => {
      const database = await open();
      return {
        orders: new MongoOrderRepository(database, { committed: (items) => committed.push(...items) }),
        attempts: new MongoPaymentAttempts(database),
        close: async () => {},
      };
    });
  });

  describe('the outbox', () => {
    let database: OrderDatabase;
    let orders: MongoOrderRepository;
    let outbox: MongoOrderOutbox;
    const future = () => new Date(Date.now() + 60_000);

    before(async () => {
      database = await open();
      orders = new MongoOrderRepository(database, { committed: () => {} });
      outbox = new MongoOrderOutbox(database);
    });

    async function placed(orderId = `o-${randomUUID()}`) {
      const attempt = await new MongoPaymentAttempts(database).begin(orderId, placedAt);
      const order = Order.placePaid(orderDetails({ orderId }), placedAt, `e-${orderId}`);
      await orders.append(order, attempt);
      return order;
    }

    it('holds a committed change’s events until they are marked published, then forgets them', async () => {
      const order = await placed();
      const pending = (await outbox.pending(1_000, future())).filter((item) => item.events[0]?.orderId === order.id);
      expect(pending).to.have.length(1);
      expect(pending[0]?.events.map((event) => event.subject)).to.deep.equal(['fooddelivery.order.placed']);
      await outbox.markPublished(pending.map((item) => item.key));
      expect((await outbox.pending(1_000, future())).filter((item) => item.events[0]?.orderId === order.id)).to.have.lengthOf(0);
    });

    it('keeps the log: published entries stay as the order’s history', async () => {
      const order = await placed();
      await outbox.markPublished((await outbox.pending(1_000, future())).map((item) => item.key));
      expect(await database.log.findOne({ _id: logId(order.id, 1) })).to.have.nested.property('change.type', 'placed');
    });

    it('takes over the version of a writer that stopped before its entry, so a late write fails instead of going unpublished', async () => {
      const order = await placed();
      await outbox.markPublished((await outbox.pending(1_000, future())).map((item) => item.key));
      const writer = (await orders.load(order.id)) as Order;
      writer.requestCancellation('x', new Date(), randomUUID());
      // The writer recorded its pending change, then stopped for longer than the sweep waits.
      const token = 'stopped-writer';
      await database.pending.insertOne({
        _id: `${logId(order.id, 2)}:${token}`,
        orderId: order.id,
        version: 2,
        token,
        kind: 'change',
        since: new Date(Date.now() - 60_000),
      });
      expect(await outbox.pending(1_000, new Date())).to.satisfy((items: OutboxItem[]) =>
        items.every((item) => item.events[0]?.orderId !== order.id),
      );
      expect(await database.log.findOne({ _id: logId(order.id, 2) })).to.have.nested.property('change.type', 'void');
      expect(await orders.append(writer).catch((error: Error) => error)).to.have.property('code', 'ORDER.CONCURRENT_UPDATE');
      const again = (await orders.load(order.id)) as Order;
      expect(again.version).to.equal(2);
      again.requestCancellation('x', new Date(), randomUUID());
      await orders.append(again);
      expect(((await orders.load(order.id)) as Order).snapshot()).to.include({ version: 3, cancellation: 'requested' });
    });

    it('drops the pending change of a writer that lost its version', async () => {
      const order = await placed();
      await database.pending.insertOne({
        _id: `${logId(order.id, 1)}:loser`,
        orderId: order.id,
        version: 1,
        token: 'loser',
        kind: 'change',
        since: new Date(Date.now() - 60_000),
      });
      await outbox.pending(1_000, new Date());
      expect(await database.pending.findOne({ _id: `${logId(order.id, 1)}:loser` })).to.equal(null);
    });
  });

  describe('the view', () => {
    it('is repaired by a read when it lags the log', async () => {
      const database = await open();
      const orders = new MongoOrderRepository(database, { committed: () => {} });
      const orderId = `o-${randomUUID()}`;
      await orders.append(
        Order.placePaid(orderDetails({ orderId }), placedAt, 'e'),
        await new MongoPaymentAttempts(database).begin(orderId, placedAt),
      );
      const order = (await orders.load(orderId)) as Order;
      order.followStore('accepted', new Date());
      await orders.append(order);
      // As if the view write after the append had failed:
      await database.views.replaceOne(
        { _id: orderId },
        { ...(await database.views.findOne({ _id: orderId }))!, status: 'paid', version: 1 },
      );
      expect(((await orders.load(orderId)) as Order).status).to.equal('accepted');
      await waitFor(async () => (await database.views.findOne({ _id: orderId }))?.version === 2);
    });
  });

  describe('a database written by the layout before the order log', () => {
    it('is migrated at start: orders become logs (with their unpublished events), open attempts stay open, old collections go', async () => {
      const database = await open();
      const at = new Date('2026-11-20T10:00:00Z');
      const base = {
        customerId: 'c-old',
        storeId: 'store-seoul-chicken',
        items: [],
        total: { currencyCode: 'KRW', amountMinor: 38_500 },
        deliveryAddress: 'Seoul',
        paymentId: 'p',
        placedAt: at,
        updatedAt: at,
        version: 1,
        hasPendingEvents: false,
        statusReason: '',
      };
      const pendingEvent = {
        eventId: 'old-event',
        eventType: 'fooddelivery.order.v1.OrderPlaced',
        subject: 'fooddelivery.order.placed',
        payload: '',
      };
      await database.db.collection(Collections.legacy.orders).insertMany([
        { _id: 'old-paid' as never, ...base, status: 'paid', outbox: [pendingEvent] },
        { _id: 'old-cooking' as never, ...base, status: 'cooking', outbox: [] },
        { _id: 'old-cancelled' as never, ...base, status: 'cancelled', statusReason: 'changed my mind', outbox: [] },
      ]);
      await database.db.collection(Collections.legacy.attempts).insertOne({ _id: 'old-attempt' as never, begunAt: at });

      await migrateLegacyLayout(database, silent);
      await migrateLegacyLayout(database, silent);

      const orders = new MongoOrderRepository(database, { committed: () => {} });
      expect(((await orders.load('old-paid')) as Order).snapshot()).to.include({ status: 'paid', version: 1 });
      expect(((await orders.load('old-cooking')) as Order).snapshot()).to.include({ status: 'cooking', version: 2 });
      expect(((await orders.load('old-cancelled')) as Order).snapshot()).to.include({
        status: 'cancelled',
        statusReason: 'changed my mind',
      });
      const pending = await new MongoOrderOutbox(database).pending(100, new Date(Date.now() + 60_000));
      expect(pending.flatMap((item) => item.events.map((event) => event.eventId))).to.deep.equal(['old-event']);
      expect((await new MongoPaymentAttempts(database).stale(new Date(), 100)).map((attempt) => attempt.orderId)).to.deep.equal([
        'old-attempt',
      ]);
      expect((await orders.listByCustomer('c-old', 10)).orders).to.have.length(3);
      const names = (await database.db.listCollections().toArray()).map((collection) => collection.name);
      expect(names).to.not.include.members([Collections.legacy.orders, Collections.legacy.attempts]);
    });
  });
  describe('what it asked of the database in all the tests above', () => {
    it('writes by inserting new _ids and replacing or deleting by _id only: no $pull, no conditional update, no transaction', () => {
      expect(watch.commands.length).to.be.greaterThan(100);
      for (const { name, command } of watch.commands) {
        expect(['findAndModify', 'abortTransaction', 'commitTransaction'], `${name} is not used`).to.not.include(name);
        expect(command, `${name} runs outside any transaction`).to.not.have.property('startTransaction');
        if (name === 'update') {
          for (const update of command.updates as Array<{ q: Document; u: Document }>) {
            expect(Object.keys(update.q), `update filters by _id alone: ${JSON.stringify(update.q)}`).to.deep.equal(['_id']);
            expect(typeof update.q._id, 'an exact _id').to.equal('string');
            expect(JSON.stringify(update.u)).to.not.match(/\$pull|\$pullAll|\$push|\$pop|\$inc/);
          }
        }
        if (name === 'delete') {
          for (const deletion of command.deletes as Array<{ q: Document }>) {
            expect(Object.keys(deletion.q)).to.deep.equal(['_id']);
          }
        }
      }
    });
  });
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
