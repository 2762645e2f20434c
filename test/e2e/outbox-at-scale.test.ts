import { TrackingStatus } from '@fooddelivery/gen/fooddelivery/notification/v1/tracking';
import { cpuPercents } from '@fooddelivery/stack/cpu';
import { stopAll } from '@fooddelivery/stack/processes';
import { startSystem, type TestSystem } from '@fooddelivery/stack/system';
import { expect } from 'chai';
import { eventually, streamEvents } from '../support/events.js';
import { allStoreOrders } from '../support/flow.js';
import { call, clients } from '../support/grpc-clients.js';
import { placeOrders } from '../support/load.js';
import { metric } from '../support/metrics.js';
import { anOrder } from '../support/orders.js';

const ORDERS = Number(process.env.SCALE_ORDERS ?? 2_000);
const CUSTOMERS = 100;
const STORES = ['store-seoul-chicken', 'store-busan-noodles'];
const lines = {
  'store-seoul-chicken': [{ menuItemId: 'fried-chicken', quantity: 1 }],
  'store-busan-noodles': [{ menuItemId: 'mandu', quantity: 2 }],
} as const;

/**
 * The order service's outbox past the point where the earlier layout stopped publishing (the
 * 100th order): every OrderPlaced reaches the store and the tracking view exactly once, the ORDER
 * stream holds one message per event, and once the load is over the order service and FerretDB
 * go idle.
 */
describe(`the outbox at scale: ${ORDERS} orders through the whole system`, function () {
  this.timeout(240_000);
  let system: TestSystem;
  let api: ReturnType<typeof clients>;
  let placed: string[];

  before(async () => {
    system = await startSystem(['payment', 'order', 'store', 'notification'], {
      payment: { PAYMENT_LATENCY_MIN_MS: '0', PAYMENT_LATENCY_MAX_MS: '2', LOG_LEVEL: 'warn' },
      order: { LOG_LEVEL: 'warn' },
      store: { LOG_LEVEL: 'warn' },
      notification: { LOG_LEVEL: 'warn' },
    });
    api = clients({
      order: system.service('order').grpc,
      store: system.service('store').grpc,
      notification: system.service('notification').grpc,
    });
  });
  after(async () => {
    api?.close();
    await stopAll();
  });

  it(`accepts ${ORDERS} orders`, async () => {
    const result = await placeOrders(api.order, ORDERS, 32, (index) => {
      const storeId = STORES[index % STORES.length] as keyof typeof lines;
      return anOrder({ customerId: `c-scale-${index % CUSTOMERS}`, storeId, lines: [...lines[storeId]] });
    });
    console.log(
      `      placed ${result.orderIds.length} in ${result.seconds.toFixed(1)} s (${(result.orderIds.length / result.seconds).toFixed(0)}/s)`,
    );
    expect(Object.fromEntries(result.failures)).to.deep.equal({});
    placed = result.orderIds;
  });

  it('every OrderPlaced reaches the store exactly once', async () => {
    await eventually(
      'the store to take every order',
      async () =>
        (await metric(system.service('store').http, 'events_consumed_total', { consumer: 'store-follow-orders', outcome: 'handled' })) >=
        ORDERS
          ? true
          : undefined,
      60_000,
    );
    const storeOrders = (await Promise.all(STORES.map((storeId) => allStoreOrders(api.store, storeId)))).flat();
    const ids = storeOrders.map((order) => order.orderId);
    expect(new Set(ids).size, 'each order once').to.equal(ids.length);
    expect(
      ids.filter((id) => placed.includes(id)),
      'every accepted order',
    ).to.have.length(ORDERS);
  });

  it('every order reaches the tracking view, with exactly one message to its customer', async () => {
    await eventually(
      'the tracking view to follow every order',
      async () =>
        (await metric(system.service('notification').http, 'events_consumed_total', {
          consumer: 'notification-track-orders',
          outcome: 'handled',
        })) >= ORDERS
          ? true
          : undefined,
      60_000,
    );
    let tracked = 0;
    for (let i = 0; i < placed.length; i += 50) {
      const views = await Promise.all(
        placed.slice(i, i + 50).map((orderId) => call(api.tracking.getOrderTracking.bind(api.tracking), { orderId })),
      );
      tracked += views.filter((view) => view.tracking?.status === TrackingStatus.TRACKING_STATUS_PAID).length;
    }
    expect(tracked).to.equal(ORDERS);
    const messages = new Map<string, number>();
    for (let customer = 0; customer < CUSTOMERS; customer++) {
      for (let pageToken = ''; ; ) {
        const page = await call(api.tracking.listNotifications.bind(api.tracking), {
          customerId: `c-scale-${customer}`,
          pageSize: 100,
          pageToken,
        });
        for (const message of page.notifications) messages.set(message.orderId, (messages.get(message.orderId) ?? 0) + 1);
        if (!page.nextPageToken) break;
        pageToken = page.nextPageToken;
      }
    }
    expect(
      placed.filter((orderId) => messages.get(orderId) !== 1),
      'orders without exactly one message',
    ).to.deep.equal([]);
  });

  it('the ORDER stream holds exactly one message per event id', async () => {
    const events = await streamEvents(system.nats.url, 'FOODDELIVERY_ORDER');
    const placedEvents = events.filter((event) => event.subject === 'fooddelivery.order.placed');
    expect(new Set(events.map((event) => event.eventId)).size, 'no event id twice').to.equal(events.length);
    expect(new Set(placedEvents.map((event) => event.orderId)).size, 'one OrderPlaced per order').to.equal(placedEvents.length);
    expect(placedEvents).to.have.length(ORDERS);
  });

  it('after the load, the order service and FerretDB are idle (CPU < 5 % over 10 s, from /proc)', async () => {
    const cpu = await cpuPercents({ order: system.service('order').process.pid, ferretdb: system.ferretDb.pid() }, 10_000);
    console.log(`      idle CPU over 10 s: order ${cpu.order!.toFixed(1)} %, FerretDB ${cpu.ferretdb!.toFixed(1)} %`);
    expect(cpu.order).to.be.lessThan(5);
    expect(cpu.ferretdb).to.be.lessThan(5);
  });
});
