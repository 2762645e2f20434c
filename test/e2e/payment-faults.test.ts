import { OrderServiceClient } from '@fooddelivery/gen/fooddelivery/order/v1/order_service';
import { PaymentStatus } from '@fooddelivery/gen/fooddelivery/payment/v1/payment';
import { PaymentApproved, PaymentRefunded } from '@fooddelivery/gen/fooddelivery/payment/v1/payment_events';
import { HealthProbe } from '@fooddelivery/stack/health';
import { stopAll } from '@fooddelivery/stack/processes';
import { status, type ServiceError } from '@grpc/grpc-js';
import { expect } from 'chai';
import { MongoClient } from 'mongodb';
import { eventually, streamEvents } from '../support/events.js';
import { call, clients, grpcError } from '../support/grpc-clients.js';
import { startSystem, type TestSystem } from '@fooddelivery/stack/system';
import { anOrder as order } from '../support/orders.js';

const TIMEOUT_MS = 400;
const RESET_MS = 2_000;

async function circuitState(system: TestSystem): Promise<number> {
  const text = await (await fetch(`${system.service('order').http}/metrics`)).text();
  return Number(/^payment_circuit_state\{[^}]*\} (\d)/m.exec(text)?.[1]);
}

async function transitions(system: TestSystem, to: string): Promise<number> {
  const text = await (await fetch(`${system.service('order').http}/metrics`)).text();
  return Number(new RegExp(`^payment_circuit_transitions_total\\{to="${to}"[^}]*\\} (\\d+)`, 'm').exec(text)?.[1] ?? 0);
}

/** Payment attempts the order service recorded since `since` (it records one, then calls payment). */
async function attemptsBegunSince(system: TestSystem, since: Date): Promise<number> {
  const client = new MongoClient(system.ferretDb.url);
  try {
    return await client
      .db('order')
      .collection('order_pending_changes')
      .countDocuments({ kind: 'payment', since: { $gte: since } });
  } finally {
    await client.close();
  }
}

async function timed<T>(promise: Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const value = await promise;
  return [value, performance.now() - started];
}

describe('when payment struggles: fail fast, stay healthy, recover by itself', function () {
  this.timeout(180_000);
  let system: TestSystem;
  let orderClient: OrderServiceClient;
  let health: HealthProbe;
  let orderPid: number;
  const place = (overrides = {}) => call(orderClient.placeOrder.bind(orderClient), order(overrides));

  before(async () => {
    system = await startSystem(['payment', 'order'], {
      payment: { PAYMENT_LATENCY_MIN_MS: '0', PAYMENT_LATENCY_MAX_MS: '5' },
      order: {
        PAYMENT_TIMEOUT_MS: String(TIMEOUT_MS),
        BREAKER_VOLUME_THRESHOLD: '3',
        BREAKER_ERROR_THRESHOLD_PERCENT: '50',
        BREAKER_RESET_TIMEOUT_MS: String(RESET_MS),
        PAYMENT_SETTLE_AFTER_MS: '1500',
        PAYMENT_SETTLE_INTERVAL_MS: '300',
      },
    });
    orderClient = clients({ order: system.service('order').grpc }).order;
    health = new HealthProbe(system.service('order').grpc);
    orderPid = system.service('order').process.pid;
  });
  after(async () => {
    health?.close();
    orderClient?.close();
    await stopAll();
  });

  it('payment stopped: UNAVAILABLE within the budget, nothing stored, order stays SERVING; payment back: orders succeed', async () => {
    await system.stop('payment');
    const customerId = 'c-payment-down';
    for (let i = 0; i < 5; i++) {
      const [error, elapsed] = await timed(grpcError(place({ customerId })));
      expect(error.code).to.equal(status.UNAVAILABLE);
      expect(error.details).to.match(/try again/);
      expect(elapsed, 'answered within the payment budget').to.be.below(TIMEOUT_MS + 300);
    }
    const viaRest = await fetch(`${system.service('order').http}/v1/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...order({ customerId }), idempotencyKey: undefined }),
    });
    expect(viaRest.status).to.equal(503);
    expect(Number(viaRest.headers.get('retry-after'))).to.be.greaterThan(0);

    expect(await health.status()).to.equal('SERVING');
    expect((await call(orderClient.listStores.bind(orderClient), {})).stores.length).to.be.greaterThan(0);
    const { orders } = await call(orderClient.listOrders.bind(orderClient), { customerId, pageSize: 0, pageToken: '' });
    expect(orders, 'nothing stored').to.have.lengthOf(0);
    expect(await circuitState(system)).to.equal(2);

    await system.start('payment');
    // Past the breaker's reset timeout, and time for order's channel to reconnect to the new process
    // (its reconnection backoff is not visible from outside; the half-open trial call must reach it).
    await new Promise((resolve) => setTimeout(resolve, RESET_MS + 200));
    const placed = await place({ customerId });
    expect(placed.order?.status).to.equal(1);
    expect(await circuitState(system)).to.equal(0);
    expect(system.service('order').process.pid, 'order was not restarted').to.equal(orderPid);
  });

  it('payment slow: calls time out, the circuit opens and fails fast, then closes once payment is fast again', async () => {
    await system.stop('payment');
    await system.start('payment', { PAYMENT_LATENCY_MIN_MS: '900', PAYMENT_LATENCY_MAX_MS: '1000' });
    const halfOpenBefore = await transitions(system, 'halfOpen');

    await new Promise((resolve) => setTimeout(resolve, 2_500)); // the client reconnects to the new process
    let timeouts = 0;
    for (let i = 0; i < 6 && (await circuitState(system)) !== 2; i++) {
      const [error, elapsed] = await timed(grpcError(place()));
      expect(error.code).to.equal(status.UNAVAILABLE);
      expect(elapsed, 'never waits past the budget').to.be.below(TIMEOUT_MS + 300);
      if (/timed out/.test(error.details)) timeouts++;
    }
    expect(timeouts, 'calls timed out').to.be.greaterThan(0);
    expect(await circuitState(system), 'open').to.equal(2);
    const [fastError, fastElapsed] = await timed(grpcError(place()));
    expect(fastError.details).to.match(/circuit open/);
    expect(fastElapsed, 'fails fast while open').to.be.below(100);

    await system.stop('payment');
    await system.start('payment', { PAYMENT_LATENCY_MIN_MS: '0', PAYMENT_LATENCY_MAX_MS: '5' });
    // Past the breaker's reset timeout, and time for order's channel to reconnect to the new process
    // (its reconnection backoff is not visible from outside; the half-open trial call must reach it).
    await new Promise((resolve) => setTimeout(resolve, RESET_MS + 200));
    expect((await place()).order?.status, 'the half-open trial call succeeds').to.equal(1);
    expect(await circuitState(system), 'closed again').to.equal(0);
    expect(await transitions(system, 'halfOpen')).to.be.greaterThan(halfOpenBefore);
  });

  it('leaves no approved payment without an order (late approvals are refunded)', async () => {
    // The settlement refunds late approvals PAYMENT_SETTLE_AFTER_MS after them: until then an approval may have neither.
    const { approved, withOrder } = await eventually(
      'every approved payment to have its order or a refund',
      async () => {
        const events = await streamEvents(system.nats.url, 'FOODDELIVERY_PAYMENT');
        const approved = events
          .filter((event) => event.subject === 'fooddelivery.payment.approved')
          .map((event) => PaymentApproved.decode(event.data).orderId);
        const refunded = new Set(
          events
            .filter((event) => event.subject === 'fooddelivery.payment.refunded')
            .map((event) => PaymentRefunded.decode(event.data).orderId),
        );
        let withOrder = 0;
        for (const orderId of approved) {
          if (refunded.has(orderId)) continue;
          const found = await call(orderClient.getOrder.bind(orderClient), { orderId }).then(
            () => true,
            (error: ServiceError) => (error.code === status.NOT_FOUND ? false : Promise.reject(error)),
          );
          if (!found) return undefined;
          withOrder++;
        }
        return { approved, withOrder };
      },
      20_000,
    );
    console.log(`      checked: ${approved.length} approved payments, ${withOrder} with an order, ${approved.length - withOrder} refunded`);
  });
});

describe('when the order cannot be stored after payment', function () {
  this.timeout(120_000);
  let system: TestSystem;
  let api: ReturnType<typeof clients>;

  before(async () => {
    system = await startSystem(['payment', 'order'], {
      payment: { PAYMENT_LATENCY_MIN_MS: '1500', PAYMENT_LATENCY_MAX_MS: '1500' },
      order: { PAYMENT_TIMEOUT_MS: '5000', PAYMENT_SETTLE_AFTER_MS: '8000', PAYMENT_SETTLE_INTERVAL_MS: '250' },
    });
    api = clients({ order: system.service('order').grpc, payment: system.service('payment').grpc });
  });
  after(async () => {
    api?.close();
    await stopAll();
  });

  /** Places while FerretDB is killed during the payment call; FerretDB is back when it resolves. */
  async function placeThroughOutage(request: ReturnType<typeof order>) {
    const since = new Date();
    const placing = grpcError(call(api.order.placeOrder.bind(api.order), request, { timeoutMs: 30_000 }));
    await eventually('the order service to call payment', async () => ((await attemptsBegunSince(system, since)) > 0 ? true : undefined));
    await system.ferretDb.kill();
    const error = await placing;
    await system.ferretDb.restart();
    const events = await streamEvents(system.nats.url, 'FOODDELIVERY_PAYMENT');
    const approved = events.filter((event) => event.subject === 'fooddelivery.payment.approved').at(-1);
    expect(approved, 'payment approved first').to.not.equal(undefined);
    return { error, orderId: approved!.orderId };
  }

  it('without an idempotency key: UNAVAILABLE, and the payment is refunded (the order id claimed first, so it never appears)', async () => {
    const { error, orderId } = await placeThroughOutage(order({ customerId: 'c-db-down' }));
    expect(error.code).to.equal(status.UNAVAILABLE);
    expect(error.details).to.match(/could not be (stored|confirmed as stored)/);
    const refunded = await eventually(
      'the refund',
      async () => {
        const { payment } = await call(api.payment.getPayment.bind(api.payment), { orderId });
        return payment?.status === PaymentStatus.PAYMENT_STATUS_REFUNDED ? payment : undefined;
      },
      20_000,
    );
    expect(refunded.statusReason).to.match(/no order was stored/);
    expect((await grpcError(call(api.order.getOrder.bind(api.order), { orderId }))).code).to.equal(status.NOT_FOUND);
  });

  it('with an idempotency key: the same request again completes the order, paid once, never refunded', async () => {
    const request = order({ customerId: 'c-db-down-key', idempotencyKey: `key-${Date.now()}` });
    const { error, orderId } = await placeThroughOutage(request);
    expect(error.code).to.equal(status.UNAVAILABLE);
    expect(error.details).to.match(/same idempotency key/);
    const { order: completed } = await call(api.order.placeOrder.bind(api.order), request);
    expect(completed?.orderId).to.equal(orderId);
    // A later attempt nobody completes: once the settlement has refunded it (PAYMENT_SETTLE_AFTER_MS after
    // it), it has also been past this one, and left it alone.
    const later = await placeThroughOutage(order({ customerId: 'c-db-down-key-left', idempotencyKey: `key-left-${Date.now()}` }));
    await eventually(
      'the settlement to refund the later attempt',
      async () => {
        const { payment } = await call(api.payment.getPayment.bind(api.payment), { orderId: later.orderId });
        return payment?.status === PaymentStatus.PAYMENT_STATUS_REFUNDED ? true : undefined;
      },
      30_000,
    );
    const { payment } = await call(api.payment.getPayment.bind(api.payment), { orderId });
    expect(payment?.status).to.equal(PaymentStatus.PAYMENT_STATUS_APPROVED);
  });
});
