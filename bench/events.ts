/**
 * The event pipeline: OrderPlaced → the store's order (store service) + the tracking view and
 * the customer's notification (notification service), over NATS JetStream.
 *
 * 1. At a fixed arrival rate (open model): end-to-end latency of each event, from the time it was
 *    meant to be published to the time the last of the three effects is there.
 * 2. Rising rates, to find the highest one the pipeline keeps up with.
 * 3. A backlog: store and notification stopped, events published, both started again; how fast
 *    the backlog drains.
 *
 * Effects are observed from outside: the tracking and notification KV buckets through watches
 * (each write seen as it lands), the store's order through its durable consumer's ack floor,
 * read every 10 ms (so the store's times are late by up to 10 ms).
 *
 *   node --import tsx bench/events.ts [--rate 200] [--seconds 20] [--backlog 10000]
 */
import { EventHeader } from '@fooddelivery/adapters/jetstream';
import { Streams } from '@fooddelivery/adapters/streams';
import { OrderPlaced } from '@fooddelivery/gen/fooddelivery/order/v1/order_events';
import { connectTo } from '@fooddelivery/stack/nats-access';
import { stopAll, stopAllOnSignals } from '@fooddelivery/stack/processes';
import { startSystem } from '@fooddelivery/stack/system';
import { KvWatchInclude, headers as natsHeaders, type JetStreamClient, type JetStreamManager } from 'nats';
import { randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { quantile, table } from './support.js';

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '200' },
    seconds: { type: 'string', default: '20' },
    backlog: { type: 'string', default: '10000' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  console.log('usage: npm run bench:events [-- --rate 200 --seconds 20 --backlog 10000]');
  console.log('OrderPlaced → store order + tracking view + notification: p50/p99 at a fixed rate, the highest rate kept up with,');
  console.log('and how fast a backlog drains after store and notification were down.');
  process.exit(0);
}
const rate = Number(values.rate);
const seconds = Number(values.seconds);
const backlogSize = Number(values.backlog);
for (const [name, value] of Object.entries({ rate, seconds, backlog: backlogSize })) {
  if (!Number.isInteger(value) || value < 1 || value > 100_000) throw new Error(`--${name} must be a whole number from 1 to 100000`);
}

const STORE_DURABLE = 'store-follow-orders';
const krw = (amountMinor: number) => ({ currencyCode: 'KRW', amountMinor });

interface Tracked {
  meantAt: number;
  seq?: number;
  store?: number;
  tracking?: number;
  notification?: number;
}

/** Every event published, and when each of its three effects was seen. */
class Pipeline {
  readonly events = new Map<string, Tracked>();
  private readonly bySeq: Array<{ seq: number; orderId: string }> = [];
  private storeFloor = 0;

  constructor(
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
  ) {}

  async publish(orderId: string, meantAt: number): Promise<void> {
    this.events.set(orderId, { meantAt });
    const placed = OrderPlaced.encode({
      eventId: randomUUID(),
      orderId,
      occurredAt: new Date(),
      customerId: `c-events-${orderId.slice(0, 4)}`,
      storeId: 'store-seoul-chicken',
      items: [{ menuItemId: 'fried-chicken', name: 'Fried chicken', quantity: 1, unitPrice: krw(18000), lineTotal: krw(18000) }],
      total: krw(18000),
      deliveryAddress: '152 Teheran-ro, Seoul',
      paymentId: randomUUID(),
    }).finish();
    // The envelope the services' relays publish (adapters/src/jetstream.ts, EventPublisher).
    const eventId = randomUUID();
    const headers = natsHeaders();
    headers.set(EventHeader.type, 'fooddelivery.order.v1.OrderPlaced');
    headers.set(EventHeader.id, eventId);
    headers.set(EventHeader.orderId, orderId);
    const { seq } = await this.js.publish('fooddelivery.order.placed', placed, { msgID: eventId, headers, timeout: 5_000 });
    this.events.get(orderId)!.seq = seq;
    this.bySeq.push({ seq, orderId });
  }

  sawTracking(orderId: string, at: number): void {
    const event = this.events.get(orderId);
    if (event && event.tracking === undefined) event.tracking = at;
  }

  sawNotification(orderId: string, at: number): void {
    const event = this.events.get(orderId);
    if (event && event.notification === undefined) event.notification = at;
  }

  /** Reads the store consumer's ack floor and marks every event at or below it. */
  async readStoreFloor(): Promise<void> {
    const info = await this.jsm.consumers.info(Streams.order.name, STORE_DURABLE).catch(() => undefined);
    if (!info || info.ack_floor.stream_seq <= this.storeFloor) return;
    this.storeFloor = info.ack_floor.stream_seq;
    const at = performance.now();
    this.bySeq.sort((a, b) => a.seq - b.seq);
    while (this.bySeq.length > 0 && this.bySeq[0]!.seq <= this.storeFloor) {
      const event = this.events.get(this.bySeq.shift()!.orderId)!;
      event.store ??= at;
    }
  }

  done(event: Tracked): number | undefined {
    if (event.store === undefined || event.tracking === undefined || event.notification === undefined) return undefined;
    return Math.max(event.store, event.tracking, event.notification);
  }

  pending(ids: string[]): number {
    return ids.filter((id) => this.done(this.events.get(id)!) === undefined).length;
  }

  /** Waits until every event of `ids` has its three effects, or `timeoutMs` has passed; true when all are there. */
  async settled(ids: string[], timeoutMs: number): Promise<boolean> {
    const deadline = performance.now() + timeoutMs;
    while (this.pending(ids) > 0) {
      if (performance.now() > deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return true;
  }

  latencies(ids: string[], effect?: 'store' | 'tracking' | 'notification'): number[] {
    return ids.flatMap((id) => {
      const event = this.events.get(id)!;
      const at = effect ? event[effect] : this.done(event);
      return at === undefined ? [] : [at - event.meantAt];
    });
  }
}

/** Publishes `count` events at `ratePerSecond`, each from the time it was meant to leave. */
async function publishAt(pipeline: Pipeline, ratePerSecond: number, count: number): Promise<string[]> {
  const ids: string[] = [];
  const sending = new Set<Promise<void>>();
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const meantAt = started + (i * 1000) / ratePerSecond;
    const wait = meantAt - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    const orderId = randomUUID();
    ids.push(orderId);
    const sent = pipeline.publish(orderId, meantAt);
    sending.add(sent);
    void sent.finally(() => sending.delete(sent));
  }
  await Promise.all(sending);
  return ids;
}

const ms = (value: number) => Math.round(value * 10) / 10;

stopAllOnSignals();
try {
  const system = await startSystem(['store', 'notification'], { store: { LOG_LEVEL: 'warn' }, notification: { LOG_LEVEL: 'warn' } });
  const nats = await connectTo(system.nats.url);
  const js = nats.jetstream();
  const pipeline = new Pipeline(js, await nats.jetstreamManager());

  const trackings = await (await js.views.kv('notification_tracking')).watch({ key: '>', include: KvWatchInclude.UpdatesOnly });
  void (async () => {
    for await (const entry of trackings) pipeline.sawTracking(entry.key, performance.now());
  })();
  const messages = await (await js.views.kv('notification_messages')).watch({ key: '>', include: KvWatchInclude.UpdatesOnly });
  void (async () => {
    for await (const entry of messages) pipeline.sawNotification(entry.key.split('.')[1] ?? '', performance.now());
  })();
  let reading = true;
  const floors = (async () => {
    while (reading) {
      await pipeline.readStoreFloor();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();

  // 1. A fixed rate.
  console.log(`1. ${rate} events/s for ${seconds}s (open model; load average ${loadavg()[0]!.toFixed(2)})`);
  await publishAt(pipeline, rate, Math.min(rate * 2, 200)); // warm-up
  const steady = await publishAt(pipeline, rate, rate * seconds);
  if (!(await pipeline.settled(steady, 60_000)))
    throw new Error(`${pipeline.pending(steady)} events still unhandled a minute after the last`);
  const row = (name: string, latencies: number[]) => ({
    effect: name,
    events: latencies.length,
    'p50 ms': ms(quantile(latencies, 0.5)),
    'p99 ms': ms(quantile(latencies, 0.99)),
    'max ms': ms(Math.max(...latencies)),
  });
  console.log(
    table([
      row('store order (ack floor, ±10 ms)', pipeline.latencies(steady, 'store')),
      row('tracking view', pipeline.latencies(steady, 'tracking')),
      row('notification', pipeline.latencies(steady, 'notification')),
      row('all three (end to end)', pipeline.latencies(steady)),
    ]),
  );

  // 2. Rising rates, 10 s each: kept up with when every event is handled within 2 s of the step's end and p99 < 1 s.
  console.log('\n2. rising rates, 10s each');
  let sustained = 0;
  for (const stepRate of [400, 700, 1000, 1400, 2000]) {
    const ids = await publishAt(pipeline, stepRate, stepRate * 10);
    const kept = await pipeline.settled(ids, 2_000);
    const p99 = quantile(pipeline.latencies(ids), 0.99);
    const ok = kept && p99 < 1_000;
    console.log(
      `  ${stepRate} events/s: ${kept ? 'all handled' : `${pipeline.pending(ids)} behind 2 s after the last`}, ` +
        `p50 ${ms(quantile(pipeline.latencies(ids), 0.5))} ms, p99 ${ms(p99)} ms (load average ${loadavg()[0]!.toFixed(2)})`,
    );
    if (!ok) {
      await pipeline.settled(ids, 120_000);
      break;
    }
    sustained = stepRate;
  }
  console.log(`highest rate kept up with: ${sustained ? `${sustained} events/s` : `below 400 events/s`}`);

  // 3. A backlog.
  console.log(`\n3. backlog: store and notification stopped, ${backlogSize} events published, both started again`);
  await system.stop('store');
  await system.stop('notification');
  const backlog = await publishAt(pipeline, 100_000, backlogSize);
  const restarted = performance.now();
  await Promise.all([system.start('store'), system.start('notification')]);
  const ready = performance.now();
  if (!(await pipeline.settled(backlog, 300_000))) throw new Error(`${pipeline.pending(backlog)} events still unhandled after 5 minutes`);
  const drained = Math.max(...backlog.map((id) => pipeline.done(pipeline.events.get(id)!)!));
  console.log(
    `drained ${backlogSize} events in ${((drained - ready) / 1000).toFixed(1)} s after both were ready ` +
      `(${Math.round(backlogSize / ((drained - ready) / 1000))} events/s; ${((ready - restarted) / 1000).toFixed(1)} s to start them)`,
  );
  for (const effect of ['store', 'tracking', 'notification'] as const) {
    const last = Math.max(...backlog.map((id) => pipeline.events.get(id)![effect]!));
    console.log(`  ${effect}: ${Math.round(backlogSize / ((last - ready) / 1000))} events/s`);
  }

  reading = false;
  await floors;
  trackings.stop();
  messages.stop();
  await nats.close();
} finally {
  await stopAll();
}
