/**
 * `npm run soak [-- --orders 20000 --concurrency 32]`: a long run of the whole system on free
 * loopback ports. Places the orders, waits until the store and the tracking view have every one,
 * checks the ORDER stream holds one message per event id, then reads the order service's and
 * FerretDB's CPU while idle. Prints orders/s, events/s and the idle CPU.
 */
import { cpuPercents } from '@fooddelivery/stack/cpu';
import { stopAll } from '@fooddelivery/stack/processes';
import { startSystem } from '@fooddelivery/stack/system';
import { loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { streamEvents } from '../test/support/events.js';
import { clients } from '../test/support/grpc-clients.js';
import { placeOrders } from '../test/support/load.js';
import { metric } from '../test/support/metrics.js';
import { anOrder } from '../test/support/orders.js';

const { values } = parseArgs({
  options: {
    orders: { type: 'string', default: '20000' },
    concurrency: { type: 'string', default: '32' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.log('usage: npm run soak [-- --orders 20000 --concurrency 32]');
  process.exit(0);
}
const orders = Number(values.orders);
const stores = ['store-seoul-chicken', 'store-busan-noodles'] as const;
const lines = {
  'store-seoul-chicken': [{ menuItemId: 'fried-chicken', quantity: 1 }],
  'store-busan-noodles': [{ menuItemId: 'mandu', quantity: 2 }],
};
const quiet = { LOG_LEVEL: 'warn' };
const system = await startSystem(['payment', 'order', 'store', 'notification'], {
  payment: { ...quiet, PAYMENT_LATENCY_MIN_MS: '0', PAYMENT_LATENCY_MAX_MS: '2' },
  order: quiet,
  store: quiet,
  notification: quiet,
});
const api = clients({ order: system.service('order').grpc });
try {
  console.log(
    `placing ${orders} orders, ${values.concurrency} at a time (load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')})`,
  );
  const started = performance.now();
  const progress = setInterval(() => {
    void metric(system.service('order').http, 'grpc_server_handled_total', {
      grpc_method: 'PlaceOrder',
      grpc_code: 'OK',
      transport: 'grpc',
    }).then((done) => console.log(`  ${done} placed, ${((performance.now() - started) / 1000).toFixed(0)} s`));
  }, 30_000);
  const placed = await placeOrders(api.order, orders, Number(values.concurrency), (index) => {
    const storeId = stores[index % stores.length]!;
    return anOrder({ customerId: `c-soak-${index % 500}`, storeId, lines: [...lines[storeId]] });
  });
  clearInterval(progress);
  console.log(
    `placed ${placed.orderIds.length} in ${placed.seconds.toFixed(0)} s: ${(placed.orderIds.length / placed.seconds).toFixed(1)} orders/s; failures ${JSON.stringify(Object.fromEntries(placed.failures))}`,
  );

  const handled = async () => ({
    store: await metric(system.service('store').http, 'events_consumed_total', { consumer: 'store-follow-orders', outcome: 'handled' }),
    tracking: await metric(system.service('notification').http, 'events_consumed_total', {
      consumer: 'notification-track-orders',
      outcome: 'handled',
    }),
  });
  for (let seen = await handled(); seen.store < placed.orderIds.length || seen.tracking < placed.orderIds.length; seen = await handled())
    await sleep(1_000);
  const drained = (performance.now() - started) / 1000;
  const streams = await Promise.all(['FOODDELIVERY_ORDER', 'FOODDELIVERY_PAYMENT'].map((stream) => streamEvents(system.nats.url, stream)));
  const events = streams.flat().length;
  const orderStream = streams[0]!;
  const unique = new Set(orderStream.map((event) => event.eventId)).size;
  console.log(
    `every order at the store and in the tracking view after ${drained.toFixed(0)} s; ${events} events published: ${(events / drained).toFixed(1)} events/s`,
  );
  console.log(`ORDER stream: ${orderStream.length} messages, ${unique} event ids${unique === orderStream.length ? '' : ' — DUPLICATES'}`);
  const pids = { order: system.service('order').process.pid, ferretdb: system.ferretDb.pid() };
  const idle = await cpuPercents(pids, 10_000);
  await sleep(50_000);
  const later = await cpuPercents(pids, 10_000);
  console.log(
    `idle CPU over 10 s right after: order ${idle.order!.toFixed(1)} %, FerretDB ${idle.ferretdb!.toFixed(1)} %; a minute later: order ${later.order!.toFixed(1)} %, FerretDB ${later.ferretdb!.toFixed(1)} %`,
  );
  if (unique !== orderStream.length || placed.orderIds.length !== orders) process.exitCode = 1;
} finally {
  api.close();
  await stopAll();
}
