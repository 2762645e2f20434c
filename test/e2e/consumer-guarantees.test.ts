import { temporaryDirectory } from '@fooddelivery/stack/temp-dirs';
import { connectTo } from '@fooddelivery/stack/nats-access';
import { EventHeader, replayDeadLetters } from '@fooddelivery/adapters/jetstream';
import { OrderServiceClient } from '@fooddelivery/gen/fooddelivery/order/v1/order_service';
import { StoreServiceClient } from '@fooddelivery/gen/fooddelivery/store/v1/store_service';
import { freePort } from '@fooddelivery/stack/ports';
import { startPostgres } from '@fooddelivery/stack/postgres';
import { stopAll, track } from '@fooddelivery/stack/processes';
import { startSystem, type TestSystem } from '@fooddelivery/stack/system';
import { expect } from 'chai';
import { headers as natsHeaders } from 'nats';
import { randomUUID } from 'node:crypto';
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, streamEvents } from '../support/events.js';
import { allStoreOrders, storeOrder } from '../support/flow.js';
import { call, clients } from '../support/grpc-clients.js';
import { metric } from '../support/metrics.js';
import { anOrder } from '../support/orders.js';

const STORE = 'store-busan-noodles';
const RECEIVE = 'store-follow-orders';
const noodles = (customerId: string) => anOrder({ customerId, storeId: STORE, lines: [{ menuItemId: 'mandu', quantity: 1 }] });

async function placeMany(order: OrderServiceClient, count: number, customerId: string): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push((await call(order.placeOrder.bind(order), noodles(customerId))).order!.orderId);
  return ids;
}

/** Store orders for these order ids, and how many times each appears. */
async function storeCopies(store: StoreServiceClient, orderIds: string[]) {
  const wanted = new Set(orderIds);
  const found = (await allStoreOrders(store, STORE)).filter((order) => wanted.has(order.orderId));
  return {
    found: new Set(found.map((order) => order.orderId)).size,
    duplicates: found.length - new Set(found.map((order) => order.orderId)).size,
  };
}

async function publishRaw(natsUrl: string, subject: string, payload: Uint8Array, orderId: string): Promise<string> {
  const connection = await connectTo(natsUrl);
  const eventId = randomUUID();
  const headers = natsHeaders();
  headers.set(EventHeader.type, 'fooddelivery.order.v1.OrderPlaced');
  headers.set(EventHeader.id, eventId);
  headers.set(EventHeader.orderId, orderId);
  await connection.jetstream().publish(subject, payload, { msgID: eventId, headers });
  await connection.close();
  return eventId;
}

describe('consumers never lose or double-apply an event (SQLite store)', function () {
  this.timeout(300_000);
  let system: TestSystem;
  let api: ReturnType<typeof clients>;

  before(async () => {
    system = await startSystem(['payment', 'order', 'store'], {
      payment: { PAYMENT_LATENCY_MIN_MS: '0', PAYMENT_LATENCY_MAX_MS: '2' },
      store: { CONSUMER_ACK_WAIT_MS: '2000', CONSUMER_BACKOFF_MS: '100,200,300' },
    });
    api = clients({ order: system.service('order').grpc, store: system.service('store').grpc });
  });
  after(async () => {
    api?.close();
    await stopAll();
  });

  it('store down while 50 orders are placed: all accepted; store back: 50 store orders, none twice', async () => {
    await system.stop('store');
    const ids = await placeMany(api.order, 50, 'c-store-down');
    expect(ids).to.have.length(50);
    await system.start('store');
    const copies = await eventually(
      'the store to catch up',
      async () => {
        const counted = await storeCopies(api.store, ids);
        return counted.found === 50 ? counted : undefined;
      },
      30_000,
    );
    expect(copies.duplicates).to.equal(0);
    console.log(`      checked: orders placed 50, store orders 50, duplicates ${copies.duplicates}`);
  });

  it('a consumer killed (SIGKILL) after its effect but before its ack: the redelivery has no second effect', async () => {
    await system.stop('store');
    await system.start('store', { FAULT_DELAY_BEFORE_ACK_MS: '5000' });
    const [orderId] = await placeMany(api.order, 1, 'c-kill');
    const first = await storeOrder(api.store, STORE, orderId!);
    await system.service('store').process.kill();
    delete system.services.store;

    const restarted = await system.start('store');
    await eventually(
      'the redelivery',
      async () =>
        (await metric(restarted.http, 'events_consumed_total', { consumer: RECEIVE, outcome: 'redelivered' })) >= 1 ? true : undefined,
      20_000,
    );
    await eventually('its ack', async () =>
      (await metric(restarted.http, 'events_consumed_total', { consumer: RECEIVE, outcome: 'handled' })) >= 1 ? true : undefined,
    );
    const after = await storeOrder(api.store, STORE, orderId!);
    expect(after.updatedAt?.getTime(), 'not written again').to.equal(first.updatedAt?.getTime());
    expect((await storeCopies(api.store, [orderId!])).duplicates).to.equal(0);
    console.log('      checked: effects 1, redeliveries 1, second effects 0');
  });

  it('a poison message: retried a bounded number of times, dead-lettered with its reason, the rest still processed', async () => {
    const poisonOrderId = `poison-${randomUUID()}`;
    await publishRaw(system.nats.url, 'fooddelivery.order.placed', new Uint8Array([0xff, 0xff, 0xff, 0x0f]), poisonOrderId);
    const letter = await eventually('the dead letter', async () =>
      (await streamEvents(system.nats.url, 'FOODDELIVERY_DEADLETTER')).find((event) => event.orderId === poisonOrderId),
    );
    expect(letter.subject).to.equal(`fooddelivery.deadletter.${RECEIVE}`);
    const [orderId] = await placeMany(api.order, 1, 'c-after-poison');
    await storeOrder(api.store, STORE, orderId!);
    const retried = await metric(system.service('store').http, 'events_consumed_total', { consumer: RECEIVE, outcome: 'retried' });
    expect(retried, 'bounded retries before dead-lettering').to.equal(3);

    // Replayed (once its cause is fixed): it leaves the dead letters and is delivered again.
    const connection = await connectTo(system.nats.url);
    expect(await replayDeadLetters(connection, RECEIVE)).to.equal(1);
    await connection.close();
    await eventually('the replayed event to be handled again (and, still malformed, dead-lettered again)', async () =>
      (await metric(system.service('store').http, 'events_consumed_total', { consumer: RECEIVE, outcome: 'dead_lettered' })) >= 2
        ? true
        : undefined,
    );
  });

  it('NATS restarted in the middle of a run of orders: no event lost', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 30; i++) {
      if (i === 10) await system.nats.restart();
      ids.push((await call(api.order.placeOrder.bind(api.order), noodles('c-nats-restart'))).order!.orderId);
    }
    const placed = await eventually(
      'every OrderPlaced',
      async () => {
        const events = (await streamEvents(system.nats.url, 'FOODDELIVERY_ORDER')).filter((event) => ids.includes(event.orderId));
        return events.length >= 30 ? events : undefined;
      },
      30_000,
    );
    const copies = await eventually(
      'every store order',
      async () => {
        const counted = await storeCopies(api.store, ids);
        return counted.found === 30 ? counted : undefined;
      },
      30_000,
    );
    expect(new Set(placed.map((event) => event.orderId)).size).to.equal(30);
    expect(placed.length, 'no duplicate OrderPlaced').to.equal(30);
    console.log(`      checked: orders 30, OrderPlaced events 30, store orders ${copies.found}, duplicates ${copies.duplicates}`);
  });
});

describe('two store replicas on PostgreSQL share one durable consumer', function () {
  this.timeout(300_000);
  let system: TestSystem;
  let api: ReturnType<typeof clients>;
  let stopPostgres: () => Promise<void>;
  let restartPostgres: () => Promise<void>;
  let replicaHttp: string[];

  before(async () => {
    const dir = temporaryDirectory('fooddelivery-pg-');
    chmodSync(dir, 0o755); // PostgreSQL runs as the postgres user
    const port = await freePort();
    let postgres = await startPostgres({ dataDir: join(dir, 'data'), port });
    track({ name: 'postgres', stop: () => postgres.stop() });
    stopPostgres = () => postgres.stop();
    restartPostgres = async () => {
      postgres = await startPostgres({ dataDir: join(dir, 'data'), port });
    };
    const databaseUrl = await postgres.createDatabase('store');
    const storeEnv = { DATABASE_URL: databaseUrl, CONSUMER_BACKOFF_MS: '100,200,300' };
    system = await startSystem(['payment', 'order', 'store'], {
      payment: { PAYMENT_LATENCY_MIN_MS: '0', PAYMENT_LATENCY_MAX_MS: '2' },
      store: storeEnv,
    });
    const second = await system.startReplica('store', storeEnv);
    replicaHttp = [system.service('store').http, second.http];
    api = clients({ order: system.service('order').grpc, store: system.service('store').grpc });
  });
  after(async () => {
    api?.close();
    await stopAll();
  });

  it('N orders → exactly N store orders, each event handled once across both replicas', async () => {
    const n = 40;
    const ids = await placeMany(api.order, n, 'c-replicas');
    const copies = await eventually(
      'both replicas to finish',
      async () => {
        const counted = await storeCopies(api.store, ids);
        return counted.found === n ? counted : undefined;
      },
      30_000,
    );
    const handled = await Promise.all(
      replicaHttp.map((http) => metric(http, 'events_consumed_total', { consumer: RECEIVE, outcome: 'handled' })),
    );
    expect(copies.duplicates).to.equal(0);
    expect(handled[0]! + handled[1]!, 'each OrderPlaced handled once').to.equal(n);
    console.log(
      `      checked: orders ${n}, store orders ${copies.found}, handled by replica 1: ${handled[0]}, replica 2: ${handled[1]}, duplicates 0`,
    );
  });

  it('an event that fails because the database is down is redelivered until it is back: handled once, never dead-lettered', async () => {
    await stopPostgres();
    const [orderId] = await placeMany(api.order, 1, 'c-db-outage');
    await eventually(
      'redeliveries while the database is down',
      async () =>
        (
          await Promise.all(replicaHttp.map((http) => metric(http, 'events_consumed_total', { consumer: RECEIVE, outcome: 'retried' })))
        ).some((count) => count >= 6)
          ? true
          : undefined,
      30_000,
    );
    await restartPostgres();
    await storeOrder(api.store, STORE, orderId!, 30_000);
    expect(
      (await streamEvents(system.nats.url, 'FOODDELIVERY_DEADLETTER')).find((event) => event.orderId === orderId),
      "an outage is not the event's fault",
    ).to.equal(undefined);
  });
});
