/**
 * The seed's circuit-breaker scenario replayed: `siege -c100 -t60S` POSTing orders to the order
 * service's REST port while payment answers in 400–620 ms with a bounded capacity. Prints
 * availability, transactions/s, accepted orders/s and p50/p99 latency beside the seed's figures.
 *
 *   node --import tsx bench/siege-place-order.ts [--seconds 60] [--users 100]
 */
import { stopAll, stopAllOnSignals } from '@fooddelivery/stack/processes';
import { execFile } from 'node:child_process';
import { parseArgs } from 'node:util';
import { startSystem } from '@fooddelivery/stack/system';
import { quantile, table } from './support.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '60' },
    users: { type: 'string', default: '100' },
    capacity: { type: 'string', default: '10' },
    queue: { type: 'string', default: '0' },
  },
});

const payment = {
  PAYMENT_LATENCY_MIN_MS: '400',
  PAYMENT_LATENCY_MAX_MS: '620',
  PAYMENT_CAPACITY: values.capacity,
  PAYMENT_QUEUE_LIMIT: values.queue,
};
const order = {
  PAYMENT_TIMEOUT_MS: '1000',
  BREAKER_ERROR_THRESHOLD_PERCENT: '50',
  BREAKER_VOLUME_THRESHOLD: '20',
  BREAKER_RESET_TIMEOUT_MS: '2000',
  LOG_LEVEL: 'warn',
};

interface SiegeSummary {
  availability: number;
  elapsedSeconds: number;
  transactionRate: number;
}

function siege(url: string, body: string): Promise<{ summary: SiegeSummary; lines: string[] }> {
  const rc = new URL('./siegerc', import.meta.url).pathname;
  const args = ['-R', rc, '-c', values.users!, '-t', `${values.seconds}S`, '--content-type', 'application/json', `${url} POST ${body}`];
  return new Promise((resolve, reject) => {
    execFile('siege', args, { maxBuffer: 256 * 1024 * 1024 }, (error, stdout, stderr) => {
      const figure = (label: string) => Number(new RegExp(`${label}:\\s+([\\d.]+)`).exec(stderr)?.[1]);
      const summary = {
        availability: figure('Availability'),
        elapsedSeconds: figure('Elapsed time'),
        transactionRate: figure('Transaction rate'),
      };
      if (Number.isNaN(summary.availability)) return reject(new Error(`siege failed: ${stderr || error?.message}`));
      resolve({ summary, lines: stdout.split('\n') });
    });
  });
}

stopAllOnSignals();
const system = await startSystem(['payment', 'order'], { payment, order });
try {
  const url = `${system.service('order').http}/v1/orders`;
  const body = JSON.stringify({
    customerId: 'c-siege',
    storeId: 'store-seoul-chicken',
    lines: [{ menuItemId: 'fried-chicken', quantity: 1 }],
    deliveryAddress: '152 Teheran-ro, Seoul',
    cardToken: 'tok_visa',
  });
  console.log(
    `siege -c${values.users} -t${values.seconds}S POST ${url}; payment ${payment.PAYMENT_LATENCY_MIN_MS}-${payment.PAYMENT_LATENCY_MAX_MS} ms, capacity ${payment.PAYMENT_CAPACITY} (+${payment.PAYMENT_QUEUE_LIMIT} queued), breaker timeout ${order.PAYMENT_TIMEOUT_MS} ms`,
  );
  const { summary, lines } = await siege(url, body);

  const transactions = lines
    .map((line) => /HTTP\/1\.1 (\d{3})\s+([\d.]+) secs/.exec(line))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => ({ status: Number(match[1]), seconds: Number(match[2]) }));
  const accepted = transactions.filter((transaction) => transaction.status === 200);
  const refused = transactions.filter((transaction) => transaction.status === 503);
  const byStatus = Object.entries(
    transactions.reduce<Record<number, number>>(
      (counts, transaction) => ({ ...counts, [transaction.status]: (counts[transaction.status] ?? 0) + 1 }),
      {},
    ),
  )
    .map(([code, count]) => `${code}: ${count}`)
    .join(', ');
  const elapsed = summary.elapsedSeconds;

  console.log(`\nstatuses: ${byStatus}`);
  console.log(
    table([
      {
        run: 'this system',
        'availability %': summary.availability,
        'trans/s': summary.transactionRate,
        'accepted orders/s': accepted.length / elapsed,
        'p50 s': quantile(
          transactions.map((t) => t.seconds),
          0.5,
        ),
        'p99 s': quantile(
          transactions.map((t) => t.seconds),
          0.99,
        ),
        'p50 s (refused)': quantile(
          refused.map((t) => t.seconds),
          0.5,
        ),
      },
      {
        run: 'seed (Spring + Hystrix)',
        'availability %': 63.55,
        'trans/s': 17.15,
        'accepted orders/s': 17.15,
        'p50 s': '~1.3–4.7',
        'p99 s': '9.20 (max)',
        'p50 s (refused)': '~1.2–5.0',
      },
    ]),
  );
} finally {
  await stopAll();
}
