import { temporaryDirectory } from '@fooddelivery/stack/temp-dirs';
import { freePort } from '@fooddelivery/stack/ports';
import { startPostgres, type Postgres } from '@fooddelivery/stack/postgres';
import { stopAll } from '@fooddelivery/stack/processes';
import { startSystem, type TestSystem } from '@fooddelivery/stack/system';
import { status, type ServiceError } from '@grpc/grpc-js';
import { expect } from 'chai';
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { eventually } from '../support/events.js';
import { call, clients } from '../support/grpc-clients.js';
import { anOrder } from '../support/orders.js';

const BUDGET_MS = 2_000;

interface Answer {
  code: number | string;
  ms: number;
  retryAfter?: string | null;
}

async function grpcAnswer(send: () => Promise<unknown>): Promise<Answer> {
  const started = performance.now();
  try {
    await send();
    return { code: 'OK', ms: performance.now() - started };
  } catch (error) {
    const failure = error as ServiceError;
    return {
      code: status[failure.code] ?? failure.code,
      ms: performance.now() - started,
      retryAfter: failure.metadata?.get('retry-after')[0]?.toString() ?? null,
    };
  }
}

async function restAnswer(url: string): Promise<Answer> {
  const started = performance.now();
  const response = await fetch(url, { signal: AbortSignal.timeout(20_000) });
  await response.text();
  return { code: response.status, ms: performance.now() - started, retryAfter: response.headers.get('retry-after') };
}

function expectPromptUnavailable(answers: Answer[], unavailable: number | string): void {
  for (const answer of answers) {
    expect(answer.code, JSON.stringify(answer)).to.equal(unavailable);
    expect(answer.ms, `answered within ${BUDGET_MS} ms`).to.be.lessThan(BUDGET_MS);
    expect(answer.retryAfter, 'with Retry-After').to.match(/^\d+$/);
  }
}

/** A database that is down or frozen is answered promptly as "try again" (UNAVAILABLE / 503 + Retry-After), never INTERNAL / 500, and the service recovers by itself. */
describe('database outages answer fast', function () {
  this.timeout(240_000);
  let system: TestSystem;
  let postgres: Postgres;
  let pg: { dataDir: string; port: number };
  let api: ReturnType<typeof clients>;
  let orderId: string;

  before(async () => {
    const dir = temporaryDirectory('fooddelivery-outages-');
    chmodSync(dir, 0o755); // PostgreSQL runs as the postgres user
    pg = { dataDir: join(dir, 'postgres'), port: await freePort() };
    postgres = await startPostgres(pg);
    system = await startSystem(['payment', 'order', 'store'], {
      payment: { PAYMENT_LATENCY_MIN_MS: '0', PAYMENT_LATENCY_MAX_MS: '2', DATABASE_URL: await postgres.createDatabase('payment') },
      store: { DATABASE_URL: await postgres.createDatabase('store') },
    });
    api = clients({ order: system.service('order').grpc, payment: system.service('payment').grpc, store: system.service('store').grpc });
    orderId = (await call(api.order.placeOrder.bind(api.order), anOrder())).order!.orderId;
  });
  after(async () => {
    api?.close();
    await stopAll();
  });

  const orderCalls = () =>
    Promise.all([
      grpcAnswer(() => call(api.order.placeOrder.bind(api.order), anOrder(), { timeoutMs: 20_000 })),
      grpcAnswer(() => call(api.order.getOrder.bind(api.order), { orderId }, { timeoutMs: 20_000 })),
      restAnswer(`${system.service('order').http}/v1/orders/${orderId}`),
    ]);

  async function orderServiceWorks(): Promise<void> {
    await eventually(
      'the order service to answer again',
      async () => ((await grpcAnswer(() => call(api.order.getOrder.bind(api.order), { orderId }))).code === 'OK' ? true : undefined),
      30_000,
    );
    await call(api.order.placeOrder.bind(api.order), anOrder());
  }

  it('FerretDB frozen (SIGSTOP): the order service answers UNAVAILABLE / 503 within 2 s; thawed, it works again', async () => {
    process.kill(system.ferretDb.pid(), 'SIGSTOP');
    try {
      const [place, get, rest] = await orderCalls();
      console.log(
        `      frozen: PlaceOrder ${place.code} in ${place.ms.toFixed(0)} ms, GetOrder ${get.code} in ${get.ms.toFixed(0)} ms, REST ${rest.code} in ${rest.ms.toFixed(0)} ms`,
      );
      expectPromptUnavailable([place, get], 'UNAVAILABLE');
      expectPromptUnavailable([rest], 503);
    } finally {
      process.kill(system.ferretDb.pid(), 'SIGCONT');
    }
    await orderServiceWorks();
  });

  it('FerretDB killed: the same; restarted, the order service works again without a restart of its own', async () => {
    await system.ferretDb.kill();
    try {
      const [place, get, rest] = await orderCalls();
      console.log(
        `      killed: PlaceOrder ${place.code} in ${place.ms.toFixed(0)} ms, GetOrder ${get.code} in ${get.ms.toFixed(0)} ms, REST ${rest.code} in ${rest.ms.toFixed(0)} ms`,
      );
      expectPromptUnavailable([place, get], 'UNAVAILABLE');
      expectPromptUnavailable([rest], 503);
    } finally {
      await system.ferretDb.restart();
    }
    await orderServiceWorks();
  });

  it('PostgreSQL stopped: store and payment answer UNAVAILABLE / 503 within 2 s; started again, they work again', async () => {
    await postgres.stop();
    try {
      const answers = await Promise.all([
        grpcAnswer(() => call(api.payment.getPayment.bind(api.payment), { orderId }, { timeoutMs: 20_000 })),
        grpcAnswer(() => call(api.store.acceptOrder.bind(api.store), { storeId: 'store-seoul-chicken', orderId }, { timeoutMs: 20_000 })),
        restAnswer(`${system.service('payment').http}/v1/payments/${orderId}`),
        restAnswer(`${system.service('store').http}/v1/stores/store-seoul-chicken/orders`),
      ]);
      console.log(`      PostgreSQL stopped: ${answers.map((answer) => `${answer.code} in ${answer.ms.toFixed(0)} ms`).join(', ')}`);
      expectPromptUnavailable(answers.slice(0, 2), 'UNAVAILABLE');
      expectPromptUnavailable(answers.slice(2), 503);
    } finally {
      postgres = await startPostgres(pg);
    }
    await eventually(
      'payment to answer again',
      async () => ((await grpcAnswer(() => call(api.payment.getPayment.bind(api.payment), { orderId }))).code === 'OK' ? true : undefined),
      30_000,
    );
  });
});
