/**
 * The seed's overload scenario replayed: `siege -c100 -t60S` POSTing orders to the order
 * service's REST port while payment answers in 400–620 ms and takes 10 approvals at a time.
 * Runs it twice: with this system's payment budget (1,500 ms) and with the seed's breaker timeout
 * (610 ms). Prints accepted orders/s against payment's capacity, availability, p50/p99 of every
 * answer and of the refusals, and the longest answer, beside the seed's figures. Installs siege
 * from Debian's packages when it is missing.
 *
 *   npm run bench:siege [-- --seconds 60 --users 100 --capacity 10]
 */
import { stopAll, stopAllOnSignals } from '@fooddelivery/stack/processes';
import { startSystem } from '@fooddelivery/stack/system';
import { execFile } from 'node:child_process';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { quantile, requireTool, table } from './support.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '60' },
    users: { type: 'string', default: '100' },
    capacity: { type: 'string', default: '10' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.log('usage: npm run bench:siege [-- --seconds 60 --users 100 --capacity 10]');
  process.exit(0);
}
const siegeBinary = requireTool('siege');
const latency = { min: 400, max: 620 };
const capacityPerSecond = Number(values.capacity) / ((latency.min + latency.max) / 2 / 1000);

interface SiegeRun {
  availability: number;
  elapsedSeconds: number;
  transactions: Array<{ status: number; seconds: number }>;
}

function siege(url: string, body: string): Promise<SiegeRun> {
  const rc = new URL('./siegerc', import.meta.url).pathname;
  const args = ['-R', rc, '-c', values.users, '-t', `${values.seconds}S`, '--content-type', 'application/json', `${url} POST ${body}`];
  return new Promise((resolve, reject) => {
    execFile(siegeBinary, args, { maxBuffer: 256 * 1024 * 1024 }, (error, stdout, stderr) => {
      const figure = (label: string) => Number(new RegExp(`${label}:\\s+([\\d.]+)`).exec(stderr)?.[1]);
      const availability = figure('Availability');
      if (Number.isNaN(availability)) return reject(new Error(`siege failed: ${stderr || error?.message}`));
      const transactions = stdout
        .split('\n')
        .map((line) => /HTTP\/1\.1 (\d{3})\s+([\d.]+) secs/.exec(line))
        .filter((match): match is RegExpExecArray => match !== null)
        .map((match) => ({ status: Number(match[1]), seconds: Number(match[2]) }));
      resolve({ availability, elapsedSeconds: figure('Elapsed time'), transactions });
    });
  });
}

async function scenario(name: string, paymentTimeoutMs: number): Promise<Record<string, string | number>> {
  const system = await startSystem(['payment', 'order'], {
    payment: {
      PAYMENT_LATENCY_MIN_MS: String(latency.min),
      PAYMENT_LATENCY_MAX_MS: String(latency.max),
      PAYMENT_CAPACITY: values.capacity,
      PAYMENT_QUEUE_LIMIT: '0',
      LOG_LEVEL: 'warn',
    },
    order: { PAYMENT_TIMEOUT_MS: String(paymentTimeoutMs), LOG_LEVEL: 'warn' },
  });
  try {
    const url = `${system.service('order').http}/v1/orders`;
    const body = JSON.stringify({
      customerId: 'c-siege',
      storeId: 'store-seoul-chicken',
      lines: [{ menuItemId: 'fried-chicken', quantity: 1 }],
      deliveryAddress: '152 Teheran-ro, Seoul',
      cardToken: 'tok_visa',
    });
    console.log(`${name}: siege -c${values.users} -t${values.seconds}S POST ${url} (load average ${loadavg()[0]!.toFixed(2)})`);
    const run = await siege(url, body);
    const accepted = run.transactions.filter((transaction) => transaction.status === 200);
    const refused = run.transactions.filter((transaction) => transaction.status !== 200);
    const statuses = run.transactions.reduce<Record<number, number>>(
      (counts, t) => ({ ...counts, [t.status]: (counts[t.status] ?? 0) + 1 }),
      {},
    );
    console.log(`  statuses: ${JSON.stringify(statuses)}`);
    const all = run.transactions.map((transaction) => transaction.seconds);
    const acceptedPerSecond = accepted.length / run.elapsedSeconds;
    return {
      run: name,
      'accepted orders/s': acceptedPerSecond,
      'of capacity %': (acceptedPerSecond / capacityPerSecond) * 100,
      'availability %': run.availability,
      'p50 s': quantile(all, 0.5),
      'p99 s': quantile(all, 0.99),
      'p99 accepted s': quantile(
        accepted.map((t) => t.seconds),
        0.99,
      ),
      'p99 refused s': quantile(
        refused.map((t) => t.seconds),
        0.99,
      ),
      'longest s': Math.max(...all),
    };
  } finally {
    await stopAll();
  }
}

stopAllOnSignals();
const rows = [await scenario('budget 1,500 ms', 1_500), await scenario("seed's 610 ms timeout", 610)];
rows.push({
  run: 'seed (Spring + Hystrix)',
  'accepted orders/s': 17.15,
  'of capacity %': (17.15 / capacityPerSecond) * 100,
  'availability %': 63.55,
  'p50 s': '~1.3–4.7',
  'p99 s': '—',
  'p99 accepted s': '—',
  'p99 refused s': '—',
  'longest s': 9.2,
});
console.log(
  `\npayment capacity: ${values.capacity} at a time × 1 / ${(latency.min + latency.max) / 2} ms = ${capacityPerSecond.toFixed(1)} approvals/s`,
);
console.log(table(rows));
