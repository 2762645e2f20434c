import { DEAD_LETTER_STREAM, EventHeader } from '@fooddelivery/adapters/jetstream';
import { HealthProbe } from '@fooddelivery/stack/health';
import { stopAll } from '@fooddelivery/stack/processes';
import { startSystem, type TestSystem } from '@fooddelivery/stack/system';
import { expect } from 'chai';
import { connect, headers as natsHeaders } from 'nats';
import { randomUUID } from 'node:crypto';
import { eventually, streamEvents } from '../support/events.js';
import { allStoreOrders, storeOrder } from '../support/flow.js';
import { call, clients } from '../support/grpc-clients.js';
import { metric } from '../support/metrics.js';
import { anOrder } from '../support/orders.js';

const STORE = 'store-seoul-chicken';
const CONSUMER = 'store-follow-orders';

/** A consumer never stops silently: a broken dead-letter path, or its durable gone, and it carries on. */
describe('consumers never die silently', function () {
  this.timeout(180_000);
  let system: TestSystem;
  let api: ReturnType<typeof clients>;
  const counted = (outcome: string) => metric(system.service('store').http, 'events_consumed_total', { consumer: CONSUMER, outcome });
  const place = async () => (await call(api.order.placeOrder.bind(api.order), anOrder({ storeId: STORE }))).order!.orderId;

  before(async () => {
    system = await startSystem(['payment', 'order', 'store'], {
      payment: { PAYMENT_LATENCY_MIN_MS: '0', PAYMENT_LATENCY_MAX_MS: '2' },
      store: { CONSUMER_BACKOFF_MS: '100,200,300' },
    });
    api = clients({ order: system.service('order').grpc, store: system.service('store').grpc });
  });
  after(async () => {
    api?.close();
    await stopAll();
  });

  it('keeps an event whose dead-lettering fails (naks it), goes on with the others, and dead-letters it once it can', async () => {
    const connection = await connect({ servers: system.nats.url });
    try {
      const manager = await connection.jetstreamManager();
      const deadLetters = await manager.streams.info(DEAD_LETTER_STREAM);
      await manager.streams.delete(DEAD_LETTER_STREAM);

      const poison = `poison-${randomUUID()}`;
      const headers = natsHeaders();
      headers.set(EventHeader.type, 'fooddelivery.order.v1.OrderPlaced');
      headers.set(EventHeader.id, poison);
      headers.set(EventHeader.orderId, poison);
      await connection
        .jetstream()
        .publish('fooddelivery.order.placed', new Uint8Array([0xff, 0xff, 0xff, 0x0f]), { msgID: poison, headers });
      await eventually('a failed dead-lettering', async () => ((await counted('dead_letter_failed')) >= 1 ? true : undefined), 20_000);

      const after = await place();
      await storeOrder(api.store, STORE, after);
      const probe = new HealthProbe(system.service('store').grpc);
      expect(await probe.status(), 'still serving').to.equal('SERVING');
      probe.close();

      await manager.streams.add({ ...deadLetters.config });
      const letter = await eventually('the dead letter', async () =>
        (await streamEvents(system.nats.url, DEAD_LETTER_STREAM)).find((event) => event.orderId === poison),
      );
      expect(letter.subject).to.equal(`fooddelivery.deadletter.${CONSUMER}`);
      console.log(
        `      dead-lettering failed ${await counted('dead_letter_failed')} times, then succeeded; the next order was handled meanwhile`,
      );
    } finally {
      await connection.close();
    }
  });

  it('sets its durable consumer up again when it is deleted, reporting NOT_SERVING meanwhile; nothing is applied twice', async () => {
    const before = await place();
    await storeOrder(api.store, STORE, before);
    const probe = new HealthProbe(system.service('store').grpc);
    const seen = new Set<string>();
    let watching = true;
    const watch = (async () => {
      while (watching) {
        seen.add(await probe.status().catch(() => 'unreachable'));
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    })();
    const connection = await connect({ servers: system.nats.url });
    try {
      await (await connection.jetstreamManager()).consumers.delete('FOODDELIVERY_ORDER', CONSUMER);
    } finally {
      await connection.close();
    }
    const afterDeletion = await place();
    await storeOrder(api.store, STORE, afterDeletion, 30_000);
    await eventually('SERVING again', async () => ((await probe.status()) === 'SERVING' ? true : undefined));
    watching = false;
    await watch;
    probe.close();
    expect([...seen]).to.include('NOT_SERVING');
    const ids = (await allStoreOrders(api.store, STORE)).map((order) => order.orderId);
    expect(new Set(ids).size, 'the whole stream delivered again, each order still once').to.equal(ids.length);
  });
});
