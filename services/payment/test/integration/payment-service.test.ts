import { EventHeader } from '@fooddelivery/adapters/jetstream';
import { OrderCancelled } from '@fooddelivery/gen/fooddelivery/order/v1/order_events';
import { PaymentStatus } from '@fooddelivery/gen/fooddelivery/payment/v1/payment';
import { PaymentApproved, PaymentRefunded } from '@fooddelivery/gen/fooddelivery/payment/v1/payment_events';
import { OrderRejected } from '@fooddelivery/gen/fooddelivery/store/v1/store_events';
import {
  PaymentServiceClient,
  type ApprovePaymentRequest,
  type ApprovePaymentResponse,
  type GetPaymentResponse,
  type RefundPaymentResponse,
} from '@fooddelivery/gen/fooddelivery/payment/v1/payment_service';
import { credentials, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, headers as natsHeaders, type NatsConnection, type StoredMsg } from 'nats';
import { startNats, type NatsServer } from '@fooddelivery/stack/nats';
import { freePort } from '@fooddelivery/stack/ports';
import { tailLog } from '@fooddelivery/stack/processes';
import { startService, type ServiceProcess } from '@fooddelivery/stack/service';
import { approvePaymentCommand } from '../support/payment-mother.js';

const STREAM = 'FOODDELIVERY_PAYMENT';

describe('payment service process (gRPC, REST, JetStream)', function () {
  this.timeout(60_000);

  let nats: NatsServer;
  let service: ServiceProcess;
  let httpUrl: string;
  let client: PaymentServiceClient;
  let subscriber: NatsConnection;
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'payment-service-'));
    nats = await startNats({ dataDir: join(dir, 'nats'), port: await freePort() });
    const [grpcPort, httpPort] = [await freePort(), await freePort()];
    service = await startService('payment', {
      logFile: join(dir, 'payment.log'),
      env: {
        GRPC_PORT: String(grpcPort),
        HTTP_PORT: String(httpPort),
        BIND_HOST: '127.0.0.1',
        NATS_URL: nats.url,
        DATABASE_URL: `sqlite:${join(dir, 'payment.sqlite')}`,
        PAYMENT_LATENCY_MIN_MS: '5',
        PAYMENT_LATENCY_MAX_MS: '20',
        // This test is about payments; authentication has its own end-to-end test.
        AUTH_MODE: 'off',
      },
    });
    await service.waitServing(`127.0.0.1:${grpcPort}`);
    httpUrl = `http://127.0.0.1:${httpPort}`;
    client = new PaymentServiceClient(`127.0.0.1:${grpcPort}`, credentials.createInsecure());
    subscriber = await connect({ servers: nats.url });
  });

  after(async () => {
    client?.close();
    await subscriber?.close();
    await service?.stop();
    await nats?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  afterEach(function () {
    if (this.currentTest?.state === 'failed') console.log(tailLog(service.logFile, 30));
  });

  const newOrder = (overrides: Partial<ApprovePaymentRequest> = {}): ApprovePaymentRequest => ({
    ...approvePaymentCommand(),
    orderId: `order-${randomUUID()}`,
    ...overrides,
  });

  const call = <T>(invoke: (callback: (error: ServiceError | null, response: T) => void) => void) =>
    new Promise<T>((resolve, reject) => invoke((error, response) => (error ? reject(error) : resolve(response))));
  const deadline = () => ({ deadline: Date.now() + 5_000 });
  const approve = (request: ApprovePaymentRequest) =>
    call<ApprovePaymentResponse>((done) => client.approvePayment(request, new Metadata(), deadline(), done));
  const refund = (orderId: string, reason: string) =>
    call<RefundPaymentResponse>((done) => client.refundPayment({ orderId, reason }, new Metadata(), deadline(), done));
  const get = (orderId: string) => call<GetPaymentResponse>((done) => client.getPayment({ orderId }, new Metadata(), deadline(), done));
  const failure = async (promise: Promise<unknown>) => {
    try {
      await promise;
    } catch (error) {
      return error as ServiceError;
    }
    throw new Error('expected the call to fail');
  };

  it('approves a payment over gRPC and finds it approved', async () => {
    const request = newOrder();
    const { payment } = await approve(request);
    expect(payment).to.include({ orderId: request.orderId, customerId: 'customer-1', status: PaymentStatus.PAYMENT_STATUS_APPROVED });
    expect(payment?.amount).to.deep.equal({ currencyCode: 'KRW', amountMinor: 38500 });
    expect(payment?.paymentId).to.match(/^[0-9a-f-]{36}$/);
    const found = await get(request.orderId);
    expect(found.payment).to.deep.equal(payment);
  });

  it('declines a card with the decline token', async () => {
    const { payment } = await approve(newOrder({ cardToken: 'tok_decline_insufficient_funds' }));
    expect(payment).to.include({ status: PaymentStatus.PAYMENT_STATUS_DECLINED, statusReason: 'card declined' });
  });

  it('answers an approval asked twice with the same payment', async () => {
    const request = newOrder();
    const first = await approve(request);
    const second = await approve(request);
    expect(second.payment?.paymentId).to.equal(first.payment?.paymentId);
  });

  it('refunds an approved payment', async () => {
    const request = newOrder();
    await approve(request);
    const { payment } = await refund(request.orderId, 'customer cancelled');
    expect(payment).to.include({ status: PaymentStatus.PAYMENT_STATUS_REFUNDED, statusReason: 'customer cancelled' });
    expect((await get(request.orderId)).payment?.status).to.equal(PaymentStatus.PAYMENT_STATUS_REFUNDED);
  });

  it('answers INVALID_ARGUMENT naming the field at fault', async () => {
    const error = await failure(approve(newOrder({ amount: { currencyCode: 'KRW', amountMinor: 0 } })));
    expect(error.code).to.equal(status.INVALID_ARGUMENT);
    expect(error.metadata.get('error-field')).to.deep.equal(['amount.amount_minor']);
    expect(error.metadata.get('error-reason')).to.deep.equal(['PAYMENT.INVALID_ARGUMENT']);
  });

  it('answers NOT_FOUND for an order without a payment', async () => {
    const error = await failure(get(`order-${randomUUID()}`));
    expect(error.code).to.equal(status.NOT_FOUND);
    expect(error.metadata.get('error-reason')).to.deep.equal(['PAYMENT.NOT_FOUND']);
  });

  it('serves the same over REST in the proto3 JSON mapping', async () => {
    const orderId = `order-${randomUUID()}`;
    const body = {
      orderId,
      customerId: 'customer-rest',
      amount: { currencyCode: 'KRW', amountMinor: '15000' },
      cardToken: 'tok_visa',
      storeId: 'store-busan-noodles',
      items: [
        {
          menuItemId: 'milmyeon',
          name: 'Milmyeon',
          quantity: 1,
          unitPrice: { currencyCode: 'KRW', amountMinor: '15000' },
          lineTotal: { currencyCode: 'KRW', amountMinor: '15000' },
        },
      ],
      deliveryAddress: 'Haeundae, Busan',
    };
    const posted = await fetch(`${httpUrl}/v1/payments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(posted.status).to.equal(200);
    const created = (await posted.json()) as { payment: Record<string, unknown> };
    expect(created.payment).to.deep.include({
      orderId,
      customerId: 'customer-rest',
      status: 'PAYMENT_STATUS_APPROVED',
      amount: { currencyCode: 'KRW', amountMinor: '15000' },
    });
    expect(created.payment.createdAt).to.be.a('string');

    const fetched = await fetch(`${httpUrl}/v1/payments/${orderId}`);
    expect(fetched.status).to.equal(200);
    expect(await fetched.json()).to.deep.equal(created);

    const missing = await fetch(`${httpUrl}/v1/payments/order-${randomUUID()}`);
    expect(missing.status).to.equal(404);

    const invalid = await fetch(`${httpUrl}/v1/payments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...body, orderId: `order-${randomUUID()}`, cardToken: '' }),
    });
    expect(invalid.status).to.equal(400);
    const problem = (await invalid.json()) as { code: number; details: Array<{ reason: string; metadata: { field?: string } }> };
    expect(problem.code).to.equal(status.INVALID_ARGUMENT);
    expect(problem.details[0]).to.deep.include({ reason: 'PAYMENT.INVALID_ARGUMENT', metadata: { field: 'card_token' } });
  });

  it('publishes PaymentApproved on the FOODDELIVERY_PAYMENT stream with Nats-Msg-Id = event id', async () => {
    const request = newOrder();
    const { payment } = await approve(request);
    const message = await eventually(() => findEvent(subscriber, 'fooddelivery.payment.approved', request.orderId));
    const event = PaymentApproved.decode(message.data);
    expect(event).to.include({
      orderId: request.orderId,
      paymentId: payment?.paymentId,
      storeId: request.storeId,
      deliveryAddress: request.deliveryAddress,
    });
    expect(event.items).to.have.length(2);
    expect(event.eventId).to.not.equal('');
    expect(message.header.get('Nats-Msg-Id')).to.equal(event.eventId);
    expect(message.header.get('Event-Type')).to.equal('fooddelivery.payment.v1.PaymentApproved');
    expect(message.header.get('Correlation-Id')).to.equal(request.orderId);
  });

  /**
   * Publishes `payload` twice as one event: same Event-Id, different Nats-Msg-Id, so JetStream
   * keeps both and the consumer sees a redelivery; resolves once the consumer has acked both.
   */
  async function deliverTwice(
    stream: string,
    durable: string,
    subject: string,
    event: { eventId: string; eventType: string; orderId: string },
    payload: Uint8Array,
  ) {
    const headers = natsHeaders();
    headers.set(EventHeader.type, event.eventType);
    headers.set(EventHeader.id, event.eventId);
    headers.set(EventHeader.orderId, event.orderId);
    const js = subscriber.jetstream();
    await js.publish(subject, payload, { msgID: event.eventId, headers });
    const second = await js.publish(subject, payload, { msgID: `${event.eventId}-resent`, headers });
    expect(second.duplicate).to.equal(false);
    const manager = await subscriber.jetstreamManager();
    await eventually(async () => ((await manager.consumers.info(stream, durable)).ack_floor.stream_seq >= second.seq ? true : undefined));
  }

  /** The one PaymentRefunded of `orderId`, once published; fails if a second one appears. */
  async function onlyRefund(orderId: string): Promise<StoredMsg> {
    const message = await eventually(() => findEvent(subscriber, 'fooddelivery.payment.refunded', orderId));
    // Both deliveries were handled before this (acked), and the relay publishes in commit order: once
    // a payment approved afterwards is in the stream, a second refund, had one been stored, is too.
    const marker = newOrder();
    await approve(marker);
    await eventually(() => findEvent(subscriber, 'fooddelivery.payment.approved', marker.orderId));
    expect(await findEvents(subscriber, 'fooddelivery.payment.refunded', orderId)).to.have.length(1);
    return message;
  }

  it('refunds a cancelled order once, however often OrderCancelled is delivered', async () => {
    const request = newOrder();
    const { payment } = await approve(request);
    const eventId = randomUUID();
    const cancelled = OrderCancelled.fromPartial({
      eventId,
      orderId: request.orderId,
      customerId: request.customerId,
      reason: 'customer cancelled',
    });
    await deliverTwice(
      'FOODDELIVERY_ORDER',
      'payment-refund-cancelled-order',
      'fooddelivery.order.cancelled',
      { eventId, eventType: 'fooddelivery.order.v1.OrderCancelled', orderId: request.orderId },
      OrderCancelled.encode(cancelled).finish(),
    );

    expect((await get(request.orderId)).payment).to.include({
      status: PaymentStatus.PAYMENT_STATUS_REFUNDED,
      statusReason: 'customer cancelled',
    });
    const message = await onlyRefund(request.orderId);
    expect(message.header.get('Causation-Id')).to.equal(eventId);
    expect(message.header.get('Event-Type')).to.equal('fooddelivery.payment.v1.PaymentRefunded');
    expect(PaymentRefunded.decode(message.data)).to.include({
      orderId: request.orderId,
      paymentId: payment?.paymentId,
      reason: 'customer cancelled',
    });
  });

  it('refunds an order the store rejected once, however often OrderRejected is delivered', async () => {
    const request = newOrder();
    await approve(request);
    const eventId = randomUUID();
    const rejected = OrderRejected.fromPartial({ eventId, orderId: request.orderId, storeId: request.storeId, reason: 'out of chicken' });
    await deliverTwice(
      'FOODDELIVERY_STORE',
      'payment-refund-rejected-order',
      'fooddelivery.store.rejected',
      { eventId, eventType: 'fooddelivery.store.v1.OrderRejected', orderId: request.orderId },
      OrderRejected.encode(rejected).finish(),
    );

    expect((await get(request.orderId)).payment).to.include({
      status: PaymentStatus.PAYMENT_STATUS_REFUNDED,
      statusReason: 'rejected by the store: out of chicken',
    });
    const message = await onlyRefund(request.orderId);
    expect(message.header.get('Causation-Id')).to.equal(eventId);
    expect(PaymentRefunded.decode(message.data).reason).to.equal('rejected by the store: out of chicken');
  });
});

/** The stream's first message on `subject` about `orderId`, if it is there yet. */
async function findEvent(connection: NatsConnection, subject: string, orderId: string): Promise<StoredMsg | undefined> {
  return (await findEvents(connection, subject, orderId))[0];
}

/** All the stream's messages on `subject` about `orderId`. */
async function findEvents(connection: NatsConnection, subject: string, orderId: string): Promise<StoredMsg[]> {
  const manager = await connection.jetstreamManager();
  const { state } = await manager.streams.info(STREAM);
  const found: StoredMsg[] = [];
  for (let seq = state.first_seq; seq <= state.last_seq && state.messages > 0; seq++) {
    const message = await manager.streams.getMessage(STREAM, { seq });
    if (message.subject === subject && message.header.get('Correlation-Id') === orderId) found.push(message);
  }
  return found;
}

async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > until) throw new Error(`not seen within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
