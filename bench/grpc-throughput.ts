/**
 * gRPC PlaceOrder throughput of the order service (payment answering at once, FerretDB, NATS)
 * beside a bare grpc-js server answering the same RPC with a fixed response, driven by the same
 * client at the same concurrency. Rounds alternate; medians are printed with their ratio.
 *
 *   node --import tsx bench/grpc-throughput.ts [--seconds 15] [--concurrency 32] [--rounds 3]
 */
import { OrderServiceClient, type PlaceOrderRequest } from '@fooddelivery/gen/fooddelivery/order/v1/order_service';
import { spawnProcess, stopAll, stopAllOnSignals, track } from '@fooddelivery/stack/processes';
import { temporaryDirectory } from '@fooddelivery/stack/temp-dirs';
import { startSystem } from '@fooddelivery/stack/system';
import { credentials, Metadata } from '@grpc/grpc-js';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { median, quantile, table } from './support.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '15' },
    concurrency: { type: 'string', default: '32' },
    rounds: { type: 'string', default: '3' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  console.log('usage: npm run bench:grpc [-- --seconds 15 --concurrency 32 --rounds 3]');
  console.log(
    'PlaceOrder through the whole order service beside a bare grpc-js server, alternating rounds; prints medians and their ratio.',
  );
  process.exit(0);
}
const seconds = Number(values.seconds);
const concurrency = Number(values.concurrency);

interface Result {
  callsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
}

async function drive(address: string, durationMs: number): Promise<Result> {
  const client = new OrderServiceClient(address, credentials.createInsecure());
  let n = 0;
  const request = (): PlaceOrderRequest => ({
    customerId: `c-bench-${n % 100}`,
    storeId: 'store-seoul-chicken',
    lines: [{ menuItemId: 'fried-chicken', quantity: 1 }],
    deliveryAddress: '152 Teheran-ro, Seoul',
    cardToken: 'tok_visa',
    idempotencyKey: `bench-${process.pid}-${n++}`,
  });
  const latencies: number[] = [];
  let errors = 0;
  const end = performance.now() + durationMs;
  const worker = async () => {
    while (performance.now() < end) {
      const started = performance.now();
      const ok = await new Promise<boolean>((resolve) =>
        client.placeOrder(request(), new Metadata(), { deadline: Date.now() + 10_000 }, (error) => resolve(!error)),
      );
      if (ok) latencies.push(performance.now() - started);
      else errors++;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - started) / 1000;
  client.close();
  return { callsPerSecond: latencies.length / elapsed, p50Ms: quantile(latencies, 0.5), p99Ms: quantile(latencies, 0.99), errors };
}

stopAllOnSignals();
try {
  const system = await startSystem(['payment', 'order'], {
    payment: { PAYMENT_LATENCY_MIN_MS: '0', PAYMENT_LATENCY_MAX_MS: '0', LOG_LEVEL: 'warn' },
    order: { LOG_LEVEL: 'warn' },
  });
  const dir = temporaryDirectory('fooddelivery-echo-');
  const echoLog = join(dir, 'echo.log');
  const echoServer = await spawnProcess({
    name: 'echo',
    command: process.execPath,
    args: ['--import', 'tsx', new URL('./echo-server.ts', import.meta.url).pathname],
    logFile: echoLog,
  });
  track(echoServer);
  let echoPort = '';
  for (let i = 0; i < 100 && !echoPort; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    echoPort = readFileSync(echoLog, 'utf8').trim();
  }
  const echo = `127.0.0.1:${echoPort}`;

  console.log(`${values.rounds} rounds of ${seconds}s, ${concurrency} calls in flight, after a 3s warm-up of each`);
  await drive(system.service('order').grpc, 3_000);
  await drive(echo, 3_000);
  const placeOrder: Result[] = [];
  const bare: Result[] = [];
  const progress = (round: number, name: string, result: Result) =>
    console.log(
      `  round ${round + 1}/${values.rounds} ${name}: ${result.callsPerSecond.toFixed(0)} calls/s, p50 ${result.p50Ms.toFixed(1)} ms, ` +
        `p99 ${result.p99Ms.toFixed(1)} ms, ${result.errors} errors (load average ${loadavg()[0]!.toFixed(2)})`,
    );
  for (let round = 0; round < Number(values.rounds); round++) {
    placeOrder.push(await drive(system.service('order').grpc, seconds * 1000));
    progress(round, 'PlaceOrder', placeOrder.at(-1)!);
    bare.push(await drive(echo, seconds * 1000));
    progress(round, 'bare grpc-js', bare.at(-1)!);
  }
  const row = (name: string, results: Result[]) => ({
    server: name,
    'calls/s (median)': median(results.map((r) => r.callsPerSecond)),
    'p50 ms': median(results.map((r) => r.p50Ms)),
    'p99 ms': median(results.map((r) => r.p99Ms)),
    errors: results.reduce((sum, r) => sum + r.errors, 0),
    'calls/s per round': results.map((r) => r.callsPerSecond.toFixed(0)).join(' / '),
  });
  console.log(table([row('order service PlaceOrder', placeOrder), row('bare grpc-js, fixed answer', bare)]));
  const ratio = median(placeOrder.map((r) => r.callsPerSecond)) / median(bare.map((r) => r.callsPerSecond));
  console.log(`\nPlaceOrder / bare grpc-js throughput: ${(ratio * 100).toFixed(1)} %`);
} finally {
  await stopAll();
}
