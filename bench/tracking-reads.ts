/**
 * GetOrderTracking over gRPC at a fixed load: the whole system is started, some orders are
 * placed and moved along by the store, then a fixed number of callers read their trackings for
 * a fixed time. Reads come from the notification service's own KV view, never from the order,
 * store or payment databases. Prints calls/s and p50/p99 latency per round, and their medians.
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
import { median, quantile, table } from './support.js';

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
    'GetOrderTracking at a fixed number of callers against the whole system; prints calls/s and p50/p99 per round and their medians.',
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

interface Result {
  callsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
}

async function drive(client: TrackingServiceClient, orderIds: string[], durationMs: number): Promise<Result> {
  const latencies: number[] = [];
  let errors = 0;
  let next = 0;
  const end = performance.now() + durationMs;
  const worker = async () => {
    while (performance.now() < end) {
      const orderId = orderIds[next++ % orderIds.length]!;
      const started = performance.now();
      const ok = await new Promise<boolean>((resolve) =>
        client.getOrderTracking({ orderId }, new Metadata(), deadline(5_000), (error) => resolve(!error)),
      );
      if (ok) latencies.push(performance.now() - started);
      else errors++;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - started) / 1000;
  return { callsPerSecond: latencies.length / elapsed, p50Ms: quantile(latencies, 0.5), p99Ms: quantile(latencies, 0.99), errors };
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

  console.log(`${rounds} rounds of ${seconds}s, ${concurrency} callers, over ${orderCount} tracked orders, after a 2s warm-up`);
  await drive(tracking, orderIds, 2_000);
  const results: Result[] = [];
  for (let round = 0; round < rounds; round++) {
    const result = await drive(tracking, orderIds, seconds * 1000);
    results.push(result);
    console.log(
      `  round ${round + 1}/${rounds}: ${result.callsPerSecond.toFixed(0)} calls/s, p50 ${result.p50Ms.toFixed(1)} ms, ` +
        `p99 ${result.p99Ms.toFixed(1)} ms, ${result.errors} errors (load average ${loadavg()[0]!.toFixed(2)})`,
    );
  }
  console.log(
    table([
      ...results.map((result, index) => ({
        round: String(index + 1),
        'calls/s': result.callsPerSecond,
        'p50 ms': result.p50Ms,
        'p99 ms': result.p99Ms,
        errors: result.errors,
      })),
      {
        round: 'median',
        'calls/s': median(results.map((result) => result.callsPerSecond)),
        'p50 ms': median(results.map((result) => result.p50Ms)),
        'p99 ms': median(results.map((result) => result.p99Ms)),
        errors: results.reduce((sum, result) => sum + result.errors, 0),
      },
    ]),
  );
  for (const client of [order, store, tracking]) client.close();
} finally {
  await stopAll();
}
