import { connectTo } from '@fooddelivery/stack/nats-access';
import { EventHeader } from '@fooddelivery/adapters/jetstream';
import { OrderStatus } from '@fooddelivery/gen/fooddelivery/order/v1/order';
import { OrderCancelled, OrderPlaced } from '@fooddelivery/gen/fooddelivery/order/v1/order_events';
import { PaymentRefunded } from '@fooddelivery/gen/fooddelivery/payment/v1/payment_events';
import {
  CookingStarted,
  DeliveryCompleted,
  DeliveryStarted,
  OrderAccepted,
  OrderRejected,
} from '@fooddelivery/gen/fooddelivery/store/v1/store_events';
import { DeliveryState, TrackingStatus, type OrderTracking } from '@fooddelivery/gen/fooddelivery/notification/v1/tracking';
import { stopAll } from '@fooddelivery/stack/processes';
import { startSystem, type TestSystem } from '@fooddelivery/stack/system';
import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { expect } from 'chai';
import { headers as natsHeaders, type NatsConnection } from 'nats';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eventually } from '../support/events.js';
import { orderStatus, storeOrder } from '../support/flow.js';
import { call, clients, grpcError, type UnaryMethod } from '../support/grpc-clients.js';
import { anOrder } from '../support/orders.js';

const STORE = 'store-seoul-chicken';
const TOKEN = 'kakao-test-token';
const MESSAGE_PATH = '/v2/api/talk/messages';
const happyStatuses = ['PAID', 'ACCEPTED', 'COOKING', 'DELIVERING', 'DELIVERED'];
const statusName = (value: TrackingStatus | string) =>
  (typeof value === 'string' ? value : TrackingStatus[value]).replace('TRACKING_STATUS_', '');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface MessageRequest {
  recipient: string;
  text: string;
  idempotencyKey: string;
  answered: number;
}

/** A KakaoTalk-style message API on 127.0.0.1: checks each request, answers 200, or 500 while `failing`. */
class MessageApi {
  readonly requests: MessageRequest[] = [];
  /** Requests that did not look as the API expects (method, path, token, body). */
  readonly malformed: string[] = [];
  failing = false;
  private readonly server: Server = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    request.on('end', () => {
      const problems: string[] = [];
      if (request.method !== 'POST') problems.push(`method ${request.method}`);
      if (request.url !== MESSAGE_PATH) problems.push(`path ${request.url}`);
      if (request.headers.authorization !== `Bearer ${TOKEN}`) problems.push(`authorization ${request.headers.authorization}`);
      if (!request.headers['content-type']?.startsWith('application/json')) problems.push('not JSON');
      let body: { recipient?: unknown; text?: unknown; idempotency_key?: unknown } = {};
      try {
        body = JSON.parse(text) as typeof body;
      } catch {
        problems.push('body is not JSON');
      }
      if (typeof body.recipient !== 'string' || typeof body.text !== 'string' || typeof body.idempotency_key !== 'string') {
        problems.push(`body ${text}`);
      }
      const answered = problems.length > 0 ? 400 : String(body.recipient).startsWith('c-unknown') ? 404 : this.failing ? 500 : 200;
      if (problems.length > 0) this.malformed.push(problems.join(', '));
      else
        this.requests.push({
          recipient: String(body.recipient),
          text: String(body.text),
          idempotencyKey: String(body.idempotency_key),
          answered,
        });
      response
        .writeHead(answered, { 'content-type': 'application/json' })
        .end(answered === 200 ? '{"result_code":0}' : '{"msg":"unavailable"}');
    });
  });

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${MESSAGE_PATH}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  /** Messages about the order the API took (2xx), as `status` suffixes of their idempotency keys. */
  delivered(orderId: string): string[] {
    return this.requests
      .filter((request) => request.answered === 200 && request.idempotencyKey.startsWith(`${orderId}:`))
      .map((request) => request.idempotencyKey.slice(orderId.length + 1));
  }

  refused(orderId: string): number {
    return this.requests.filter((request) => request.answered !== 200 && request.idempotencyKey.startsWith(`${orderId}:`)).length;
  }
}

/** Statuses a watch received, with the time each first arrived (epoch ms). */
interface Watch {
  received: Array<{ status: string; at: number; tracking: unknown }>;
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  firstAt(status: string): number | undefined;
}

function watchResult(received: Watch['received'], ended: Promise<void>): Watch {
  return { received, ended, firstAt: (wanted) => received.find((entry) => entry.status === wanted)?.at };
}

describe('order tracking and customer notifications (notification service), end to end', function () {
  this.timeout(180_000);
  let system: TestSystem;
  let api: ReturnType<typeof clients>;
  let messages: MessageApi;
  let nats: NatsConnection;
  let notificationEnv: Record<string, string>;

  before(async () => {
    messages = new MessageApi();
    const url = await messages.start();
    notificationEnv = {
      NOTIFIER: 'kakao',
      KAKAO_API_URL: url,
      KAKAO_API_TOKEN: TOKEN,
      NOTIFICATION_LANGUAGE: 'ko',
      NOTIFY_BACKOFF_MS: '100,200,400',
      NOTIFY_MAX_ATTEMPTS: '50',
      NOTIFY_TIMEOUT_MS: '1000',
      CONSUMER_BACKOFF_MS: '100,200,400',
    };
    system = await startSystem(['payment', 'order', 'store', 'notification'], {
      payment: { PAYMENT_LATENCY_MIN_MS: '0', PAYMENT_LATENCY_MAX_MS: '5' },
      notification: notificationEnv,
    });
    api = clients({
      order: system.service('order').grpc,
      store: system.service('store').grpc,
      notification: system.service('notification').grpc,
    });
    nats = await connectTo(system.nats.url);
  });
  after(async () => {
    api?.close();
    await nats?.close();
    await messages?.stop();
    await stopAll();
  });
  afterEach(() => expect(messages.malformed, 'requests the message API could not take').to.deep.equal([]));

  const tracking = (orderId: string) => call(api.tracking.getOrderTracking.bind(api.tracking), { orderId }).then((read) => read.tracking!);
  const trackingIn = (orderId: string, wanted: string, timeoutMs = 15_000) =>
    eventually(
      `tracking of ${orderId} in ${wanted}`,
      async () => {
        const read = await tracking(orderId).catch(() => undefined);
        return read && statusName(read.status) === wanted ? read : undefined;
      },
      timeoutMs,
    );
  const deliveredMessages = (orderId: string, count: number, timeoutMs = 15_000) =>
    eventually(
      `${count} messages about ${orderId}`,
      async () => (messages.delivered(orderId).length >= count ? true : undefined),
      timeoutMs,
    );
  const notificationsOf = (customerId: string) =>
    call(api.tracking.listNotifications.bind(api.tracking), { customerId, pageSize: 100, pageToken: '' }).then(
      (page) => page.notifications,
    );
  /** All `count` notifications about the order are SENT, none pending: nothing more will be sent about it. */
  const allSent = (customerId: string, orderId: string, count: number) =>
    eventually(`${count} notifications about ${orderId} sent`, async () => {
      const about = (await notificationsOf(customerId)).filter((notification) => notification.notificationId.startsWith(`${orderId}:`));
      return about.length === count && about.every((notification) => notification.deliveryState === DeliveryState.DELIVERY_STATE_SENT)
        ? true
        : undefined;
    });
  const place = async (overrides: Parameters<typeof anOrder>[0] = {}) => {
    const order = (await call(api.order.placeOrder.bind(api.order), anOrder(overrides))).order!;
    await storeOrder(api.store, STORE, order.orderId);
    return order;
  };
  const act = (rpc: 'acceptOrder' | 'startCooking' | 'startDelivery' | 'completeDelivery', orderId: string) =>
    call((api.store[rpc] as UnaryMethod<{ storeId: string; orderId: string }, unknown>).bind(api.store), { storeId: STORE, orderId });
  const storeSteps = [
    ['acceptOrder', 'fooddelivery.store.accepted', 'ACCEPTED'],
    ['startCooking', 'fooddelivery.store.cooking_started', 'COOKING'],
    ['startDelivery', 'fooddelivery.store.delivery_started', 'DELIVERING'],
    ['completeDelivery', 'fooddelivery.store.delivery_completed', 'DELIVERED'],
  ] as const;

  function watchGrpc(orderId: string, timeoutMs = 30_000): Watch & { error: Promise<ServiceError | undefined> } {
    const received: Watch['received'] = [];
    const stream = api.tracking.watchOrder({ orderId }, new Metadata(), { deadline: Date.now() + timeoutMs });
    stream.on('data', (response: { tracking?: OrderTracking }) => {
      received.push({ status: statusName(response.tracking!.status), at: Date.now(), tracking: response.tracking });
    });
    const outcome = new Promise<ServiceError | undefined>((resolve) => {
      stream.on('end', () => resolve(undefined));
      stream.on('error', (error: ServiceError) => resolve(error));
    });
    return {
      ...watchResult(
        received,
        outcome.then(() => undefined),
      ),
      error: outcome,
    };
  }

  /** WatchOrder over REST: server-sent events read with fetch streaming; `errors` has the codes of error events. */
  function watchSse(orderId: string): Watch & { errors: number[] } {
    const received: Watch['received'] = [];
    const errors: number[] = [];
    const ended = (async () => {
      const response = await fetch(`${system.service('notification').http}/v1/orders/${orderId}/tracking:watch`, {
        headers: { accept: 'text/event-stream' },
        signal: AbortSignal.timeout(30_000),
      });
      expect(response.status).to.equal(200);
      expect(response.headers.get('content-type')).to.equal('text/event-stream');
      const decoder = new TextDecoder();
      let buffer = '';
      for await (const chunk of response.body!) {
        buffer += decoder.decode(chunk as Uint8Array, { stream: true });
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const lines = block.split('\n');
          const data = lines.find((line) => line.startsWith('data: '));
          if (!data) continue;
          const message = JSON.parse(data.slice('data: '.length)) as { tracking: { status: string }; code?: number };
          if (lines.includes('event: error')) errors.push(message.code!);
          else received.push({ status: statusName(message.tracking.status), at: Date.now(), tracking: message.tracking });
        }
      }
    })();
    return { ...watchResult(received, ended), errors };
  }

  it('happy path: place → accept → cook → deliver → complete; every step with its time, one message per status change', async () => {
    const order = await place();
    for (const [rpc] of storeSteps) await act(rpc, order.orderId);
    await orderStatus(api.order, order.orderId, OrderStatus.ORDER_STATUS_DELIVERED);

    const view = await trackingIn(order.orderId, 'DELIVERED');
    expect(view).to.deep.include({ orderId: order.orderId, customerId: order.customerId, storeId: STORE });
    expect(view.total).to.deep.equal(order.total);
    expect(view.timeline.map((step) => statusName(step.status))).to.deep.equal(happyStatuses);
    const times = view.timeline.map((step) => step.occurredAt!.getTime());
    expect(times, 'oldest first').to.deep.equal([...times].sort((a, b) => a - b));
    expect(view.updatedAt).to.deep.equal(view.timeline.at(-1)!.occurredAt);

    await deliveredMessages(order.orderId, 5);
    await allSent(order.customerId, order.orderId, 5);
    expect(messages.delivered(order.orderId).sort(), 'exactly one message per status change').to.deep.equal([
      'accepted',
      'cooking',
      'delivered',
      'delivering',
      'paid',
    ]);
    const sentTo = messages.requests.filter((request) => request.idempotencyKey.startsWith(order.orderId));
    expect(sentTo.every((request) => request.recipient === order.customerId)).to.equal(true);
    const text = (status: string) => sentTo.find((request) => request.idempotencyKey === `${order.orderId}:${status}`)?.text;
    expect(text('paid')).to.include('결제가 완료되어 주문이 접수되었습니다').and.to.include('38,500원');
    expect(text('delivered')).to.include('배달이 완료되었습니다');

    const listed = await notificationsOf(order.customerId);
    expect(listed.map((notification) => statusName(notification.status))).to.have.members(happyStatuses);
    for (const notification of listed) {
      expect(notification).to.deep.include({
        deliveryState: DeliveryState.DELIVERY_STATE_SENT,
        attempts: 1,
        lastError: '',
        channel: 'kakao',
      });
      expect(notification.notificationId).to.equal(`${order.orderId}:${statusName(notification.status).toLowerCase()}`);
    }

    const rest = await fetch(`${system.service('notification').http}/v1/orders/${order.orderId}/tracking`);
    expect(rest.status).to.equal(200);
    const body = (await rest.json()) as { tracking: { status: string; timeline: Array<{ status: string; occurredAt: string }> } };
    expect(body.tracking.status).to.equal('TRACKING_STATUS_DELIVERED');
    expect(body.tracking.timeline.map((step) => step.status)).to.deep.equal(happyStatuses.map((name) => `TRACKING_STATUS_${name}`));
    console.log(`      checked: 5 steps in order with times, 5 messages (one each), 5 notifications SENT`);
  });

  it('answers NOT_FOUND for an unknown order and INVALID_ARGUMENT naming the field for a bad id (gRPC and REST)', async () => {
    const unknown = await grpcError(tracking('no-such-order'));
    expect(unknown.code).to.equal(status.NOT_FOUND);
    const bad = await grpcError(tracking('bad id!'));
    expect(bad.code).to.equal(status.INVALID_ARGUMENT);
    expect(bad.metadata.get('error-field')).to.deep.equal(['order_id']);
    const page = await grpcError(
      call(api.tracking.listNotifications.bind(api.tracking), { customerId: 'c-1', pageSize: 101, pageToken: '' }),
    );
    expect(page.code).to.equal(status.INVALID_ARGUMENT);
    expect(page.metadata.get('error-field')).to.deep.equal(['page_size']);

    const http = system.service('notification').http;
    expect((await fetch(`${http}/v1/orders/no-such-order/tracking`)).status).to.equal(404);
    const restBad = await fetch(`${http}/v1/orders/bad%20id/tracking`);
    expect(restBad.status).to.equal(400);
    expect(JSON.stringify(await restBad.json())).to.include('"field":"order_id"');
  });

  it('WatchOrder over gRPC and over REST (server-sent events): each change within 100 ms of its event', async () => {
    const order = await place();
    await trackingIn(order.orderId, 'PAID');
    const grpcWatch = watchGrpc(order.orderId);
    const sseWatch = watchSse(order.orderId);
    const published = new Map<string, number>();
    await eventually('both watches to start', async () => (grpcWatch.firstAt('PAID') && sseWatch.firstAt('PAID') ? true : undefined));

    for (const [rpc, subject, wanted] of storeSteps) {
      await act(rpc, order.orderId);
      await eventually(`${wanted} on both watches`, async () => (grpcWatch.firstAt(wanted) && sseWatch.firstAt(wanted) ? true : undefined));
      published.set(wanted, await storedAt('FOODDELIVERY_STORE', order.orderId, subject));
      await sleep(50);
    }
    await Promise.all([grpcWatch.ended, sseWatch.ended]);
    expect(await grpcWatch.error, 'the gRPC stream ends normally once delivered').to.equal(undefined);

    const latencies = (watch: Watch) => storeSteps.map(([, , wanted]) => ({ wanted, ms: watch.firstAt(wanted)! - published.get(wanted)! }));
    const grpcLatencies = latencies(grpcWatch);
    const sseLatencies = latencies(sseWatch);
    const show = (rows: typeof grpcLatencies) => rows.map((row) => `${row.wanted} ${row.ms.toFixed(1)} ms`).join(', ');
    console.log(`      event stored in its stream → received, gRPC: ${show(grpcLatencies)}`);
    console.log(`      event stored in its stream → received, REST/SSE: ${show(sseLatencies)}`);
    for (const row of [...grpcLatencies, ...sseLatencies]) expect(row.ms, row.wanted).to.be.lessThan(100);
    for (const watch of [grpcWatch, sseWatch]) {
      expect(watch.received.map((entry) => entry.status)).to.deep.equal(happyStatuses);
    }
  });

  it('WatchOrder: a made-up order is NOT_FOUND at once; one placed but not tracked yet is waited for, then streamed', async () => {
    const started = Date.now();
    const madeUp = watchGrpc(`o-${randomUUID()}`, 5_000);
    expect((await madeUp.error)?.code).to.equal(status.NOT_FOUND);
    expect(Date.now() - started, 'answered at once: nothing is waiting to be tracked').to.be.lessThan(1_000);

    const orderId = `o-${randomUUID()}`;
    const events = eventsFor(orderId);
    await publish(events.placed);
    // Opened at once: the tracking view may not have handled the OrderPlaced yet, and waits for it.
    const watch = watchGrpc(orderId);
    await eventually('the first tracking', async () => (watch.firstAt('PAID') ? true : undefined));
    const ms = watch.firstAt('PAID')! - (await storedAt('FOODDELIVERY_ORDER', orderId, 'fooddelivery.order.placed'));
    console.log(`      not tracked yet → first tracking ${ms.toFixed(1)} ms after its event was stored`);
    expect(ms, 'the catch-up check polls the consumer every 50 ms').to.be.lessThan(250);
    await publish(events.delivered);
    await watch.ended;
    expect(watch.received.map((entry) => entry.status)).to.deep.equal(['PAID', 'DELIVERED']);
  });

  it('cancellation: cancelled, then refunded; the watch ends with the refund; one message each', async () => {
    const order = await place();
    await act('acceptOrder', order.orderId);
    await trackingIn(order.orderId, 'ACCEPTED');
    const watch = watchGrpc(order.orderId);
    await eventually('the watch to start', async () => (watch.firstAt('ACCEPTED') ? true : undefined));
    await call(api.order.cancelOrder.bind(api.order), { orderId: order.orderId, reason: '마음이 바뀌었어요' });
    await watch.ended;
    expect(await watch.error).to.equal(undefined);
    // The refund (payment's stream) may be seen before the cancellation (order's stream); the watch ends once both are in.
    expect(watch.received[0]?.status).to.equal('ACCEPTED');
    expect(watch.received.at(-1)?.status).to.equal('REFUNDED');
    const view = await tracking(order.orderId);
    expect(view.timeline.map((step) => [statusName(step.status), step.reason])).to.deep.include.members([
      ['CANCELLED', '마음이 바뀌었어요'],
    ]);
    expect(view.timeline.map((step) => statusName(step.status))).to.deep.equal(['PAID', 'ACCEPTED', 'CANCELLED', 'REFUNDED']);
    await deliveredMessages(order.orderId, 4);
    await allSent(order.customerId, order.orderId, 4);
    expect(messages.delivered(order.orderId).sort()).to.deep.equal(['accepted', 'cancelled', 'paid', 'refunded']);
    expect(messages.requests.find((request) => request.idempotencyKey === `${order.orderId}:cancelled`)?.text).to.include(
      '(사유: 마음이 바뀌었어요)',
    );
  });

  describe('events late, twice or out of order (published straight to the streams)', () => {
    it('converges to the right final view and sends each message once', async () => {
      const orderId = `o-${randomUUID()}`;
      const events = eventsFor(orderId);
      // Delivered first, a store step before OrderPlaced, and copies (a replay: same event, new message id).
      const sequence = [
        events.delivered,
        events.accepted,
        events.delivering,
        events.accepted,
        events.placed,
        events.cooking,
        events.placed,
      ];
      for (const [index, event] of sequence.entries()) await publish(event, `${event.eventId}:copy-${index}`);
      const view = await trackingIn(orderId, 'DELIVERED');
      await eventually('all five steps', async () => ((await tracking(orderId)).timeline.length === 5 ? true : undefined));
      const final = await tracking(orderId);
      expect(final.timeline.map((step) => statusName(step.status))).to.deep.equal(happyStatuses);
      expect(final.timeline.map((step) => step.occurredAt)).to.deep.equal(
        [events.placed, events.accepted, events.cooking, events.delivering, events.delivered].map((event) => event.occurredAt),
      );
      expect(final).to.deep.include({ customerId: events.customerId, storeId: STORE });
      expect(final.total).to.deep.equal({ currencyCode: 'KRW', amountMinor: 38_500 });
      expect(view.orderId).to.equal(orderId);

      await deliveredMessages(orderId, 5);
      await allSent(events.customerId, orderId, 5);
      expect(messages.delivered(orderId).sort()).to.deep.equal(['accepted', 'cooking', 'delivered', 'delivering', 'paid']);
    });

    it('a rejection, its refund and a late acceptance end as REFUNDED whatever the order', async () => {
      const orderId = `o-${randomUUID()}`;
      const events = eventsFor(orderId);
      for (const event of [events.refunded, events.accepted, events.rejected, events.placed, events.refunded])
        await publish(event, randomUUID());
      await eventually('four steps', async () => {
        const read = await tracking(orderId).catch(() => undefined);
        return read?.timeline.length === 4 ? read : undefined;
      });
      const final = await tracking(orderId);
      expect(statusName(final.status)).to.equal('REFUNDED');
      expect(final.timeline.map((step) => statusName(step.status))).to.deep.equal(['PAID', 'ACCEPTED', 'REJECTED', 'REFUNDED']);
      await deliveredMessages(orderId, 4);
      await allSent(events.customerId, orderId, 4);
      expect(messages.delivered(orderId)).to.have.length(4);
    });
  });

  describe('failures', () => {
    it('notification down for a whole order: started again, it catches up and sends each message once', async () => {
      await system.stop('notification');
      const order = await place();
      for (const [rpc] of storeSteps) await act(rpc, order.orderId);
      await orderStatus(api.order, order.orderId, OrderStatus.ORDER_STATUS_DELIVERED);
      expect(messages.delivered(order.orderId)).to.deep.equal([]);

      await system.start('notification', notificationEnv);
      renewTrackingClient();
      const view = await trackingIn(order.orderId, 'DELIVERED');
      await eventually('all five steps', async () => ((await tracking(order.orderId)).timeline.length === 5 ? true : undefined));
      expect((await tracking(order.orderId)).timeline.map((step) => statusName(step.status))).to.deep.equal(happyStatuses);
      expect(view.customerId).to.equal(order.customerId);
      await deliveredMessages(order.orderId, 5);
      await allSent(order.customerId, order.orderId, 5);
      expect(messages.delivered(order.orderId).sort()).to.deep.equal(['accepted', 'cooking', 'delivered', 'delivering', 'paid']);
    });

    it('provider failing for a while: the view is not held up, messages are retried, then delivered once each', async () => {
      messages.failing = true;
      const order = await place();
      await act('acceptOrder', order.orderId);
      await trackingIn(order.orderId, 'ACCEPTED', 3_000);
      const pending = await eventually('failed attempts to show', async () => {
        const listed = await notificationsOf(order.customerId);
        return listed.length === 2 && listed.every((notification) => notification.attempts >= 2) ? listed : undefined;
      });
      for (const notification of pending) {
        expect(notification.deliveryState).to.equal(DeliveryState.DELIVERY_STATE_PENDING);
        expect(notification.lastError).to.include('500');
      }
      messages.failing = false;
      await deliveredMessages(order.orderId, 2);
      await allSent(order.customerId, order.orderId, 2);
      expect(messages.delivered(order.orderId).sort()).to.deep.equal(['accepted', 'paid']);
      expect(messages.refused(order.orderId)).to.be.greaterThanOrEqual(4);
      const sent = await notificationsOf(order.customerId);
      expect(
        sent.every((notification) => notification.deliveryState === DeliveryState.DELIVERY_STATE_SENT && notification.lastError === ''),
      ).to.equal(true);
      console.log(`      ${messages.refused(order.orderId)} refused attempts, then 2 messages delivered once each`);
    });

    it('pending messages survive a restart and are sent after it; open watches do not hold the shutdown up', async () => {
      messages.failing = true;
      const order = await place();
      await eventually('an attempt to fail', async () => ((await notificationsOf(order.customerId))[0]?.attempts ? true : undefined));
      const grpcWatch = watchGrpc(order.orderId);
      const sseWatch = watchSse(order.orderId);
      await eventually('both watches to start', async () => (grpcWatch.firstAt('PAID') && sseWatch.firstAt('PAID') ? true : undefined));
      const stopping = performance.now();
      await system.stop('notification');
      const stopMs = performance.now() - stopping;
      expect(stopMs, 'stopped without waiting for the grace period').to.be.lessThan(2_000);
      expect((await grpcWatch.error)?.code, 'the watch is told to come back').to.equal(status.UNAVAILABLE);
      await sseWatch.ended;
      expect(sseWatch.errors, 'an error event before the end of the stream').to.deep.equal([status.UNAVAILABLE]);
      messages.failing = false;
      await system.start('notification', notificationEnv);
      renewTrackingClient();
      await deliveredMessages(order.orderId, 1);
      await allSent(order.customerId, order.orderId, 1);
      expect(messages.delivered(order.orderId)).to.deep.equal(['paid']);
    });

    it('a message the provider refuses for good is kept as FAILED with its error', async () => {
      const order = await place({ customerId: `c-unknown-${randomUUID().slice(0, 8)}` });
      const failed = await eventually('the message to fail', async () => {
        const [notification] = await notificationsOf(order.customerId);
        return notification?.deliveryState === DeliveryState.DELIVERY_STATE_FAILED ? notification : undefined;
      });
      expect(failed).to.deep.include({ attempts: 1, status: TrackingStatus.TRACKING_STATUS_PAID });
      expect(failed.lastError).to.include('404');
    });
  });

  /** The tracking client reconnects on its own, but a fresh one avoids waiting for its backoff after a restart. */
  function renewTrackingClient(): void {
    api.tracking.close();
    api.tracking = clients({ notification: system.service('notification').grpc }).tracking;
  }

  interface TestEvent {
    subject: string;
    type: string;
    orderId: string;
    eventId: string;
    occurredAt: Date;
    payload: Uint8Array;
  }

  /** One order's events, a minute apart, as the order, store and payment services would publish them. */
  function eventsFor(orderId: string) {
    const customerId = `c-${randomUUID().slice(0, 8)}`;
    const total = { currencyCode: 'KRW', amountMinor: 38_500 };
    const start = Date.now() - 60 * 60_000;
    const base = (minute: number) => ({ eventId: randomUUID(), orderId, occurredAt: new Date(start + minute * 60_000), customerId });
    const event = (subject: string, type: string, fields: ReturnType<typeof base>, payload: Uint8Array): TestEvent => ({
      subject,
      type,
      orderId,
      eventId: fields.eventId,
      occurredAt: fields.occurredAt,
      payload,
    });
    const store = (minute: number) => ({ ...base(minute), storeId: STORE, total });
    const placed = base(0);
    const accepted = store(2);
    const cooking = store(5);
    const delivering = store(20);
    const delivered = store(35);
    const rejected = store(3);
    const refunded = base(4);
    const cancelled = store(3);
    return {
      customerId,
      placed: event(
        'fooddelivery.order.placed',
        'fooddelivery.order.v1.OrderPlaced',
        placed,
        OrderPlaced.encode({ ...placed, storeId: STORE, items: [], total, deliveryAddress: 'Seoul', paymentId: 'p-1' }).finish(),
      ),
      accepted: event(
        'fooddelivery.store.accepted',
        'fooddelivery.store.v1.OrderAccepted',
        accepted,
        OrderAccepted.encode(accepted).finish(),
      ),
      cooking: event(
        'fooddelivery.store.cooking_started',
        'fooddelivery.store.v1.CookingStarted',
        cooking,
        CookingStarted.encode(cooking).finish(),
      ),
      delivering: event(
        'fooddelivery.store.delivery_started',
        'fooddelivery.store.v1.DeliveryStarted',
        delivering,
        DeliveryStarted.encode(delivering).finish(),
      ),
      delivered: event(
        'fooddelivery.store.delivery_completed',
        'fooddelivery.store.v1.DeliveryCompleted',
        delivered,
        DeliveryCompleted.encode(delivered).finish(),
      ),
      rejected: event(
        'fooddelivery.store.rejected',
        'fooddelivery.store.v1.OrderRejected',
        rejected,
        OrderRejected.encode({ ...rejected, reason: 'out of chicken' }).finish(),
      ),
      refunded: event(
        'fooddelivery.payment.refunded',
        'fooddelivery.payment.v1.PaymentRefunded',
        refunded,
        PaymentRefunded.encode({ ...refunded, paymentId: 'p-1', amount: total, reason: 'out of chicken' }).finish(),
      ),
      cancelled: event(
        'fooddelivery.order.cancelled',
        'fooddelivery.order.v1.OrderCancelled',
        cancelled,
        OrderCancelled.encode({ ...cancelled, paymentId: 'p-1', reason: 'changed my mind' }).finish(),
      ),
    };
  }

  /** Publishes with the headers every event carries, as the services' relays do. */
  async function publish(event: TestEvent, msgId = event.eventId): Promise<void> {
    const headers = natsHeaders();
    headers.set(EventHeader.type, event.type);
    headers.set(EventHeader.id, event.eventId);
    headers.set(EventHeader.orderId, event.orderId);
    await nats.jetstream().publish(event.subject, event.payload, { msgID: msgId, headers });
  }

  /**
   * When JetStream stored (and acknowledged) an order's event: the stream's own timestamp, on this
   * machine's clock, so a latency measured from it does not depend on when this process got round to it.
   */
  async function storedAt(stream: string, orderId: string, subject: string): Promise<number> {
    const manager = await nats.jetstreamManager();
    const { state } = await manager.streams.info(stream);
    for (let seq = state.last_seq; seq >= state.first_seq && seq > state.last_seq - 500; seq--) {
      const message = await manager.streams.getMessage(stream, { seq }).catch(() => undefined);
      if (message?.subject !== subject || message.header.get(EventHeader.orderId) !== orderId) continue;
      const [, seconds, fraction = ''] = /^(.*T\d\d:\d\d:\d\d)(\.\d+)?Z$/.exec(message.timestamp) ?? [];
      return Date.parse(`${seconds}Z`) + Number(`0${fraction}`) * 1000;
    }
    throw new Error(`no ${subject} of order ${orderId} in ${stream}`);
  }
});
