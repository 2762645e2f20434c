/**
 * PlaceOrder throughput of the order service (payment answering at once, FerretDB, NATS) over
 * gRPC and over its REST port, beside a bare grpc-js server answering the same RPC with a fixed
 * response, driven by the same client at the same concurrency. Rounds alternate; medians are
 * printed with their ratios. Then PlaceOrder at a fixed arrival rate of half its own maximum
 * (open model: latency from the intended send time), for the latency a service at half load gives.
 *
 *   node --import tsx bench/grpc-throughput.ts [--seconds 15] [--concurrency 32] [--rounds 3] [--warmup 10]
 *     [--payment-replicas 1] [--ferretdb sqlite|postgresql]
 */
import { OrderServiceClient, type PlaceOrderRequest } from '@fooddelivery/gen/fooddelivery/order/v1/order_service';
import { stopAll, stopAllOnSignals } from '@fooddelivery/stack/processes';
import { cpuSeconds } from '@fooddelivery/stack/cpu';
import { startSystem } from '@fooddelivery/stack/system';
import { credentials, Metadata } from '@grpc/grpc-js';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { startEchoServer } from './echo.js';
import { ferretDbOn, parseBackend } from './ferretdb-backend.js';
import { closedLoop, describeResult, medianRate, openLoop, roundsTable, type Call, type LoadResult } from './load.js';
import { median, table } from './support.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '15' },
    concurrency: { type: 'string', default: '32' },
    rounds: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '10' },
    'payment-replicas': { type: 'string', default: '1' },
    ferretdb: { type: 'string', default: 'sqlite' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  console.log(
    'usage: npm run bench:grpc [-- --seconds 15 --concurrency 32 --rounds 3 --warmup 10 --payment-replicas 1 --ferretdb sqlite|postgresql]',
  );
  console.log(
    'PlaceOrder through the whole order service over gRPC and REST beside a bare grpc-js server, alternating rounds;\n' +
      'prints medians and their ratios, then p50/p99 at a fixed arrival rate of half the measured maximum.',
  );
  process.exit(0);
}
const seconds = Number(values.seconds);
const concurrency = Number(values.concurrency);
const rounds = Number(values.rounds);
const warmup = Number(values.warmup);
const paymentReplicas = Number(values['payment-replicas']);
const backend = parseBackend(values.ferretdb);
for (const [name, value] of Object.entries({ seconds, concurrency, rounds, warmup, 'payment-replicas': paymentReplicas })) {
  if (!Number.isInteger(value) || value < 1 || value > 10_000) throw new Error(`--${name} must be a whole number from 1 to 10000`);
}

let placed = 0;
const placeOrderRequest = (): PlaceOrderRequest => {
  const n = placed++;
  return {
    customerId: `c-bench-${n % 100}`,
    storeId: 'store-seoul-chicken',
    lines: [{ menuItemId: 'fried-chicken', quantity: 1 }],
    deliveryAddress: '152 Teheran-ro, Seoul',
    cardToken: 'tok_visa',
    idempotencyKey: `bench-${process.pid}-${n}`,
  };
};

function grpcPlaceOrder(client: OrderServiceClient): Call {
  return () =>
    new Promise<void>((resolve, reject) =>
      client.placeOrder(placeOrderRequest(), new Metadata(), { deadline: Date.now() + 10_000 }, (error) =>
        error ? reject(error) : resolve(),
      ),
    );
}

function restPlaceOrder(baseUrl: string): Call {
  return async () => {
    const response = await fetch(`${baseUrl}/v1/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(placeOrderRequest()),
      signal: AbortSignal.timeout(10_000),
    });
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`HTTP ${response.status}`);
  };
}

stopAllOnSignals();
try {
  const paymentEnv = { PAYMENT_LATENCY_MIN_MS: '0', PAYMENT_LATENCY_MAX_MS: '0', LOG_LEVEL: 'warn' };
  const system = await startSystem(['payment'], { payment: paymentEnv }, { ferretDb: await ferretDbOn(backend) });
  const payments = [system.service('payment')];
  while (payments.length < paymentReplicas) payments.push(await system.startReplica('payment', paymentEnv));
  await system.start('order', {
    LOG_LEVEL: 'warn',
    PAYMENT_GRPC_ADDRESS: paymentReplicas > 1 ? `ipv4:${payments.map((payment) => payment.grpc).join(',')}` : payments[0]!.grpc,
  });
  console.log(`FerretDB on ${backend}, ${paymentReplicas} payment replica(s)`);
  const echo = await startEchoServer();
  const orderClient = new OrderServiceClient(system.service('order').grpc, credentials.createInsecure());
  const bareClient = new OrderServiceClient(echo, credentials.createInsecure());
  const targets: Array<{ name: string; call: Call; results: LoadResult[] }> = [
    { name: 'PlaceOrder over gRPC', call: grpcPlaceOrder(orderClient), results: [] },
    { name: 'PlaceOrder over REST', call: restPlaceOrder(system.service('order').http), results: [] },
    { name: 'bare grpc-js, fixed answer', call: grpcPlaceOrder(bareClient), results: [] },
  ];
  const [grpc, rest, bare] = targets as [(typeof targets)[0], (typeof targets)[0], (typeof targets)[0]];
  const processes = {
    order: system.service('order').process.pid,
    ...Object.fromEntries(
      payments.map((payment, index) => [paymentReplicas > 1 ? `payment ${index + 1}` : 'payment', payment.process.pid]),
    ),
    FerretDB: system.ferretDb.pid(),
    'nats-server': system.nats.pid(),
  };
  const cpuNow = (): Record<string, number> => ({
    ...Object.fromEntries(Object.entries(processes).map(([name, pid]) => [name, cpuSeconds(pid)])),
    'load generator': process.cpuUsage().user / 1e6 + process.cpuUsage().system / 1e6,
  });
  /** CPU milliseconds per successful PlaceOrder over gRPC, by process, one entry per round. */
  const cpuPerOrder: Array<Record<string, number>> = [];

  console.log(`warming up: ${warmup}s of each, ${concurrency} calls in flight (load average ${loadavg()[0]!.toFixed(2)})`);
  for (const target of targets) await closedLoop(target.call, { concurrency, durationMs: warmup * 1000 });
  console.log(`${rounds} rounds of ${seconds}s each, ${concurrency} calls in flight, alternating`);
  for (let round = 0; round < rounds; round++) {
    for (const target of targets) {
      const cpuBefore = cpuNow();
      target.results.push(await closedLoop(target.call, { concurrency, durationMs: seconds * 1000 }));
      if (target === grpc) {
        const cpuAfter = cpuNow();
        const calls = target.results.at(-1)!.callsPerSecond * seconds;
        cpuPerOrder.push(
          Object.fromEntries(Object.entries(cpuAfter).map(([name, used]) => [name, ((used - cpuBefore[name]!) * 1000) / calls])),
        );
      }
      console.log(
        `  round ${round + 1}/${rounds} ${target.name}: ${describeResult(target.results.at(-1)!)} (load average ${loadavg()[0]!.toFixed(2)})`,
      );
    }
  }
  const rate = medianRate;
  console.log(roundsTable(targets));
  console.log(`\nPlaceOrder over gRPC / bare grpc-js: ${((rate(grpc.results) / rate(bare.results)) * 100).toFixed(1)} %`);
  console.log(`PlaceOrder over REST / over gRPC: ${((rate(rest.results) / rate(grpc.results)) * 100).toFixed(1)} %`);
  console.log('\nCPU per PlaceOrder over gRPC, by process (ms, median of the rounds):');
  const cpuRow = Object.fromEntries(
    Object.keys(cpuPerOrder[0] ?? {}).map((name) => [name, median(cpuPerOrder.map((round) => round[name]!))]),
  );
  console.log(table([{ ...cpuRow, total: Object.values(cpuRow).reduce((sum, ms) => sum + ms, 0) }]));

  const halfRate = Math.max(1, Math.round(rate(grpc.results) / 2));
  console.log(`\nPlaceOrder over gRPC at a fixed ${halfRate} calls/s (half its maximum), open model, ${rounds} rounds of ${seconds}s:`);
  const halfLoad: LoadResult[] = [];
  for (let round = 0; round < rounds; round++) {
    halfLoad.push(await openLoop(grpc.call, { ratePerSecond: halfRate, durationMs: seconds * 1000 }));
    console.log(`  round ${round + 1}/${rounds}: ${describeResult(halfLoad.at(-1)!)} (load average ${loadavg()[0]!.toFixed(2)})`);
  }
  console.log(
    `at half rate: p50 ${median(halfLoad.map((r) => r.p50Ms)).toFixed(1)} ms, p99 ${median(halfLoad.map((r) => r.p99Ms)).toFixed(1)} ms (medians)`,
  );
  orderClient.close();
  bareClient.close();
} finally {
  await stopAll();
}
