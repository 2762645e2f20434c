/**
 * GetOrderTracking over gRPC at a fixed load: the whole system is started, some orders are
 * placed and moved along by the store, then a fixed number of callers read their trackings for
 * a fixed time, in rounds alternating with a bare grpc-js server answering the same RPC with a
 * fixed tracking. Reads come from the notification service's own view, never from the order,
 * store or payment databases. Prints calls/s and p50/p99 latency per round, the medians and
 * their ratio.
 *
 *   node --import tsx bench/tracking-reads.ts [--seconds 10] [--concurrency 16] [--orders 50] [--rounds 3]
 */
import { TrackingServiceClient } from '@fooddelivery/gen/fooddelivery/notification/v1/tracking_service';
import { OrderServiceClient, type PlaceOrderRequest } from '@fooddelivery/gen/fooddelivery/order/v1/order_service';
import { StoreServiceClient } from '@fooddelivery/gen/fooddelivery/store/v1/store_service';
import { stopAll, stopAllOnSignals } from '@fooddelivery/stack/processes';
import { startSystem } from '@fooddelivery/stack/system';
import { credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { startEchoServer } from './echo.js';
import { closedLoop, describeResult, medianRate, roundsTable, type Call, type LoadResult } from './load.js';
import { median } from './support.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    concurrency: { type: 'string', default: '16' },
    orders: { type: 'string', default: '50' },
    rounds: { type: 'string', default: '3' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  console.log('usage: npm run bench:tracking [-- --seconds 10 --concurrency 16 --orders 50 --rounds 3]');
  console.log(
    'GetOrderTracking at a fixed number of callers against the whole system beside a bare grpc-js server,\n' +
      'alternating rounds; prints calls/s and p50/p99 per round, their medians and the ratio.',
  );
  process.exit(0);
}
const seconds = Number(values.seconds);
const concurrency = Number(values.concurrency);
const orderCount = Number(values.orders);
const rounds = Number(values.rounds);
for (const [name, value] of Object.entries({ seconds, concurrency, orders: orderCount, rounds })) {
  if (!Number.isInteger(value) || value < 1 || value > 10_000) throw new Error(`--${name} must be a whole number from 1 to 10000`);
}

const STORE = 'store-seoul-chicken';
const deadline = (ms = 10_000) => ({ deadline: Date.now() + ms });

/** The store's step RPCs (AcceptOrder, ...), which take the same request. */
type StoreStep = (
  request: { storeId: string; orderId: string },
  metadata: Metadata,
  options: { deadline: number },
  callback: (error: ServiceError | null, response: unknown) => void,
) => unknown;

function unary<Req, Res>(
  method: (
    request: Req,
    metadata: Metadata,
    options: { deadline: number },
    callback: (error: ServiceError | null, response: Res) => void,
  ) => unknown,
  request: Req,
): Promise<Res> {
  return new Promise((resolve, reject) =>
    method(request, new Metadata(), deadline(), (error, response) => (error ? reject(error) : resolve(response))),
  );
}

stopAllOnSignals();
try {
  const system = await startSystem(['payment', 'order', 'store', 'notification'], {
    payment: { PAYMENT_LATENCY_MIN_MS: '0', PAYMENT_LATENCY_MAX_MS: '0', LOG_LEVEL: 'warn' },
    order: { LOG_LEVEL: 'warn' },
    store: { LOG_LEVEL: 'warn' },
    notification: { LOG_LEVEL: 'warn' },
  });
  const insecure = credentials.createInsecure();
  const order = new OrderServiceClient(system.service('order').grpc, insecure);
  const store = new StoreServiceClient(system.service('store').grpc, insecure);
  const tracking = new TrackingServiceClient(system.service('notification').grpc, insecure);

  console.log(`placing ${orderCount} orders and moving them along…`);
  const orderIds: string[] = [];
  for (let i = 0; i < orderCount; i++) {
    const request: PlaceOrderRequest = {
      customerId: `c-bench-${i % 10}`,
      storeId: STORE,
      lines: [{ menuItemId: 'fried-chicken', quantity: 1 }],
      deliveryAddress: '152 Teheran-ro, Seoul',
      cardToken: 'tok_visa',
      idempotencyKey: `tracking-bench-${i}`,
    };
    orderIds.push((await unary(order.placeOrder.bind(order), request)).order!.orderId);
  }
  // Orders at different steps, so the views read have timelines of different lengths.
  const actions = ['acceptOrder', 'startCooking', 'startDelivery', 'completeDelivery'] as const;
  for (const [index, orderId] of orderIds.entries()) {
    for (const action of actions.slice(0, index % (actions.length + 1))) {
      for (let attempt = 0; ; attempt++) {
        try {
          await unary((store[action] as StoreStep).bind(store), { storeId: STORE, orderId });
          break;
        } catch (error) {
          // The store may not have received the paid order yet.
          if (attempt >= 100) throw error;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
    }
  }
  for (const orderId of orderIds) {
    for (let attempt = 0; ; attempt++) {
      const found = await unary(tracking.getOrderTracking.bind(tracking), { orderId }).catch(() => undefined);
      if (found) break;
      if (attempt >= 200) throw new Error(`order ${orderId} is not tracked after 10 s`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  const echo = await startEchoServer();
  const bareTracking = new TrackingServiceClient(echo, insecure);
  const reads = (client: TrackingServiceClient): Call => {
    let next = 0;
    return () =>
      new Promise<void>((resolve, reject) =>
        client.getOrderTracking({ orderId: orderIds[next++ % orderIds.length]! }, new Metadata(), deadline(5_000), (error) =>
          error ? reject(error) : resolve(),
        ),
      );
  };
  const targets = [
    { name: 'GetOrderTracking, notification service', call: reads(tracking), results: [] as LoadResult[] },
    { name: 'bare grpc-js, fixed answer', call: reads(bareTracking), results: [] as LoadResult[] },
  ];
  console.log(`${rounds} rounds of ${seconds}s, ${concurrency} callers, over ${orderCount} tracked orders, after a 3s warm-up of each`);
  for (const target of targets) await closedLoop(target.call, { concurrency, durationMs: 3_000 });
  for (let round = 0; round < rounds; round++) {
    for (const target of targets) {
      target.results.push(await closedLoop(target.call, { concurrency, durationMs: seconds * 1000 }));
      console.log(
        `  round ${round + 1}/${rounds} ${target.name}: ${describeResult(target.results.at(-1)!)} (load average ${loadavg()[0]!.toFixed(2)})`,
      );
    }
  }
  const rate = medianRate;
  console.log(roundsTable(targets));
  const [service, bare] = targets as [(typeof targets)[0], (typeof targets)[0]];
  const p99 = (results: LoadResult[]) => median(results.map((result) => result.p99Ms));
  console.log(`\nGetOrderTracking / bare grpc-js: ${((rate(service.results) / rate(bare.results)) * 100).toFixed(1)} % of the calls/s,`);
  console.log(`p99 ${(p99(service.results) / p99(bare.results)).toFixed(1)} × the bare server's`);
  bareTracking.close();
  for (const client of [order, store, tracking]) client.close();
} finally {
  await stopAll();
}
