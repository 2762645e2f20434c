import { OrderStatus } from '@fooddelivery/gen/fooddelivery/order/v1/order';
import { OrderServiceClient } from '@fooddelivery/gen/fooddelivery/order/v1/order_service';
import { stopAll } from '@fooddelivery/stack/processes';
import { startSystem, type TestSystem } from '@fooddelivery/stack/system';
import { credentials, status, type ServiceError } from '@grpc/grpc-js';
import { expect } from 'chai';
import { MongoClient } from 'mongodb';
import { eventually } from '../support/events.js';
import { call, clients } from '../support/grpc-clients.js';
import { placeOrders } from '../support/load.js';
import { metric } from '../support/metrics.js';
import { anOrder } from '../support/orders.js';
import { reconcile, summary, type CancelAnswer } from '../support/reconcile.js';

const RACES = Number(process.env.RACES ?? 200);
const WAVE = 25;
const STORE = 'store-seoul-chicken';

/**
 * Two order replicas write the same orders' logs at once: one takes the customer's CancelOrder
 * while the store's events (cooking, delivery started, and its decision on the cancellation) are
 * followed by whichever replica the shared consumer hands them to. The log's insert of the next
 * version decides every race.
 */
describe(`racing writers: two order replicas, ${RACES} cancellations racing the store`, function () {
  this.timeout(300_000);
  let system: TestSystem;
  let api: ReturnType<typeof clients>;
  let replicas: Array<{ client: OrderServiceClient; http: string }>;

  before(async () => {
    const quiet = { LOG_LEVEL: 'warn' };
    system = await startSystem(['payment', 'order', 'store', 'notification'], {
      payment: { ...quiet, PAYMENT_LATENCY_MIN_MS: '0', PAYMENT_LATENCY_MAX_MS: '2' },
      order: quiet,
      store: quiet,
      notification: quiet,
    });
    const second = await system.startReplica('order', quiet);
    api = clients({
      order: system.service('order').grpc,
      payment: system.service('payment').grpc,
      store: system.service('store').grpc,
      notification: system.service('notification').grpc,
    });
    replicas = [
      { client: api.order, http: system.service('order').http },
      { client: new OrderServiceClient(second.grpc, credentials.createInsecure()), http: second.http },
    ];
  });
  after(async () => {
    replicas?.[1]?.client.close();
    api?.close();
    await stopAll();
  });

  it('no acknowledged write is lost, every log has consecutive versions, no event is published twice, and every answer is honest', async () => {
    const placed = await placeOrders(api.order, RACES, 16, (index) =>
      anOrder({ customerId: `c-race-${index % 20}`, storeId: STORE, lines: [{ menuItemId: 'fried-chicken', quantity: 1 }] }),
    );
    expect(placed.orderIds).to.have.length(RACES);
    const owner = (rpc: 'acceptOrder' | 'startCooking' | 'startDelivery', orderId: string) =>
      retryingUnavailable(() => call(api.store[rpc].bind(api.store), { storeId: STORE, orderId }));
    await eventually(
      'the store to receive every order',
      async () =>
        (await metric(system.service('store').http, 'events_consumed_total', { consumer: 'store-follow-orders', outcome: 'handled' })) >=
        RACES
          ? true
          : undefined,
      60_000,
    );

    const cancels = new Map<string, CancelAnswer>();
    const deliveries = new Map<string, 'started' | 'refused'>();
    // In waves of WAVE orders at once: each race is two writers on one order; many at once only measures FerretDB.
    const race = async (orderId: string, index: number) => {
      await owner('acceptOrder', orderId);
      const replica = replicas[index % 2]!;
      // The owner cooks and starts delivery while the customer cancels, through either replica.
      const [delivery, cancel] = await Promise.allSettled([
        owner('startCooking', orderId).then(() => owner('startDelivery', orderId)),
        retryingUnavailable(() =>
          call(replica.client.cancelOrder.bind(replica.client), { orderId, reason: 'racing' }, { timeoutMs: 20_000 }),
        ),
      ]);
      if (delivery.status === 'fulfilled') deliveries.set(orderId, 'started');
      else {
        expect((delivery.reason as ServiceError).code, (delivery.reason as Error).message).to.equal(status.FAILED_PRECONDITION);
        deliveries.set(orderId, 'refused');
      }
      if (cancel.status === 'fulfilled') {
        cancels.set(orderId, cancel.value.order?.status === OrderStatus.ORDER_STATUS_CANCELLED ? 'cancelled' : 'requested');
      } else {
        expect((cancel.reason as ServiceError).code, (cancel.reason as Error).message).to.equal(status.FAILED_PRECONDITION);
        cancels.set(orderId, 'refused');
      }
    };
    for (let start = 0; start < placed.orderIds.length; start += WAVE) {
      await Promise.all(placed.orderIds.slice(start, start + WAVE).map((orderId, offset) => race(orderId, start + offset)));
    }

    const count = (answers: Map<string, string>, answer: string) => [...answers.values()].filter((value) => value === answer).length;
    await eventually(
      'every order to settle',
      async () => {
        const result = summary(
          await reconcile({ clients: api, natsUrl: system.nats.url, accepted: placed.orderIds, cancels, storeIds: [STORE] }),
        );
        return result.clean ? result : undefined;
      },
      60_000,
    ).catch(() => undefined);
    const result = await reconcile({ clients: api, natsUrl: system.nats.url, accepted: placed.orderIds, cancels, storeIds: [STORE] });
    const conflicts = (await Promise.all(replicas.map((replica) => metric(replica.http, 'order_log_conflicts_total')))).reduce(
      (a, b) => a + b,
    );
    const versions = await logVersions(system.ferretDb.url, placed.orderIds);

    console.log(
      `      races ${RACES}: cancelled ${count(cancels, 'cancelled')}, refused ${count(cancels, 'refused')}, answered pending ${count(cancels, 'requested')}; ` +
        `deliveries started ${count(deliveries, 'started')}, refused ${count(deliveries, 'refused')}; log appends that lost their version and decided again: ${conflicts}`,
    );
    console.log(`      ${summary(result).line}`);
    expect(versions.gaps, 'orders whose log versions are not 1..n').to.deep.equal([]);
    expect(summary(result).clean, JSON.stringify(result, null, 1).slice(0, 2_000)).to.equal(true);
    for (const orderId of placed.orderIds) {
      expect(
        deliveries.get(orderId) === 'started' && cancels.get(orderId) === 'cancelled',
        `${orderId} both delivered and cancelled`,
      ).to.equal(false);
    }
    expect(count(cancels, 'cancelled') + count(cancels, 'refused') + count(cancels, 'requested')).to.equal(RACES);
  });
});

/** As a client does: UNAVAILABLE says "not now", so the same request is sent again. */
async function retryingUnavailable<T>(send: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (error) {
      if ((error as ServiceError).code !== status.UNAVAILABLE || attempt === 10) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    }
  }
}

/** The versions in each order's log, read straight from the order database: they must be 1..n. */
async function logVersions(url: string, orderIds: string[]): Promise<{ gaps: string[] }> {
  const client = new MongoClient(url);
  try {
    const wanted = new Set(orderIds);
    const versions = new Map<string, number[]>();
    for await (const entry of client.db('order').collection<{ orderId: string; version: number }>('order_log').find({})) {
      if (wanted.has(entry.orderId)) versions.set(entry.orderId, [...(versions.get(entry.orderId) ?? []), entry.version]);
    }
    const gaps = orderIds.filter((orderId) => {
      const list = (versions.get(orderId) ?? []).sort((a, b) => a - b);
      return list.length === 0 || list.some((version, index) => version !== index + 1);
    });
    return { gaps };
  } finally {
    await client.close();
  }
}
