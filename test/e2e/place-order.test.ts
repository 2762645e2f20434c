import { OrderStatus } from '@fooddelivery/gen/fooddelivery/order/v1/order';
import { OrderPlaced } from '@fooddelivery/gen/fooddelivery/order/v1/order_events';
import { PaymentStatus } from '@fooddelivery/gen/fooddelivery/payment/v1/payment';
import { toolPath } from '@fooddelivery/stack/paths';
import { stopAll } from '@fooddelivery/stack/processes';
import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { streamEvents } from '../support/events.js';
import { anOrder as order } from '../support/orders.js';
import { call, clients, grpcError } from '../support/grpc-clients.js';
import { startSystem, type TestSystem } from '@fooddelivery/stack/system';

const run = promisify(execFile);

/** The parts of REST answers these tests read (errors are google.rpc.Status). */
interface RestBody {
  order: { orderId: string; status: string };
  orders: Array<{ orderId: string }>;
  items: unknown[];
  details: Array<{ reason: string }>;
}

async function rest(system: TestSystem, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${system.service('order').http}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    ...(body !== undefined && { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : {}) as RestBody };
}

describe('ordering: catalog, PlaceOrder with synchronous payment, reading orders back', function () {
  this.timeout(120_000);
  let system: TestSystem;
  let api: ReturnType<typeof clients>;

  before(async () => {
    system = await startSystem(['payment', 'order'], { payment: { PAYMENT_LATENCY_MIN_MS: '0', PAYMENT_LATENCY_MAX_MS: '5' } });
    api = clients({ order: system.service('order').grpc, payment: system.service('payment').grpc });
  });
  after(async () => {
    api?.close();
    await stopAll();
  });

  it('lists stores and reads a menu over gRPC and REST', async () => {
    const { stores } = await call(api.order.listStores.bind(api.order), {});
    expect(stores.map((store) => store.storeId)).to.include.members(['store-seoul-chicken', 'store-busan-noodles', 'store-jeju-grill']);
    const menu = await call(api.order.getMenu.bind(api.order), { storeId: 'store-seoul-chicken' });
    expect(menu.items.find((item) => item.menuItemId === 'fried-chicken')?.price).to.deep.equal({
      currencyCode: 'KRW',
      amountMinor: 18000,
    });

    const viaRest = await rest(system, 'GET', '/v1/stores/store-busan-noodles/menu');
    expect(viaRest.status).to.equal(200);
    expect(viaRest.body.items[0]).to.deep.include({ menuItemId: 'milmyeon', price: { currencyCode: 'KRW', amountMinor: '9000' } });
  });

  it('places an order over gRPC, stores it as paid, and publishes OrderPlaced with the orderId', async () => {
    const placed = await call(api.order.placeOrder.bind(api.order), order());
    const placedOrder = placed.order!;
    expect(placedOrder.status).to.equal(OrderStatus.ORDER_STATUS_PAID);
    expect(placedOrder.total).to.deep.equal({ currencyCode: 'KRW', amountMinor: 38500 });
    expect(placedOrder.paymentId).to.not.equal('');

    const read = await call(api.order.getOrder.bind(api.order), { orderId: placedOrder.orderId });
    expect(read.order?.status).to.equal(OrderStatus.ORDER_STATUS_PAID);

    const payment = await call(api.payment.getPayment.bind(api.payment), { orderId: placedOrder.orderId });
    expect(payment.payment).to.deep.include({ status: PaymentStatus.PAYMENT_STATUS_APPROVED, paymentId: placedOrder.paymentId });

    const events = await waitForEvents(system, 'FOODDELIVERY_ORDER', (event) => event.orderId === placedOrder.orderId, 1);
    const [event] = events;
    expect(event).to.include({ subject: 'fooddelivery.order.placed', eventType: 'fooddelivery.order.v1.OrderPlaced' });
    expect(event!.msgId).to.equal(event!.eventId);
    const decoded = OrderPlaced.decode(event!.data);
    expect(decoded).to.deep.include({ orderId: placedOrder.orderId, customerId: placedOrder.customerId, storeId: 'store-seoul-chicken' });
    expect(decoded.items).to.have.length(2);
    console.log(`      checked: order ${placedOrder.orderId} paid, 1 OrderPlaced event on JetStream`);
  });

  it('places an order over REST and reads it back, as curl would', async () => {
    const placed = await rest(system, 'POST', '/v1/orders', {
      customerId: 'c-rest',
      storeId: 'store-busan-noodles',
      lines: [{ menuItemId: 'mandu', quantity: 3 }],
      deliveryAddress: '1 Haeundae-ro, Busan',
      cardToken: 'tok_visa',
    });
    expect(placed.status).to.equal(200);
    expect(placed.body.order).to.deep.include({ status: 'ORDER_STATUS_PAID', total: { currencyCode: 'KRW', amountMinor: '18000' } });
    const read = await rest(system, 'GET', `/v1/orders/${placed.body.order.orderId}`);
    expect(read.status).to.equal(200);
    expect(read.body.order.status).to.equal('ORDER_STATUS_PAID');
    const list = await rest(system, 'GET', '/v1/orders?customerId=c-rest');
    expect(list.body.orders.map((listed) => listed.orderId)).to.include(placed.body.order.orderId);
  });

  it('places an order with grpcurl', async () => {
    const request = JSON.stringify({
      customer_id: 'c-grpcurl',
      store_id: 'store-seoul-chicken',
      lines: [{ menu_item_id: 'yangnyeom-chicken', quantity: 1 }],
      delivery_address: '10 Sejong-daero, Seoul',
      card_token: 'tok_visa',
    });
    const { stdout } = await run(toolPath('grpcurl'), [
      '-plaintext',
      '-d',
      request,
      system.service('order').grpc,
      'fooddelivery.order.v1.OrderService/PlaceOrder',
    ]);
    expect((JSON.parse(stdout) as { order: unknown }).order).to.deep.include({ status: 'ORDER_STATUS_PAID', customerId: 'c-grpcurl' });
  });

  it('stores nothing when the payment is declined (FAILED_PRECONDITION / 400)', async () => {
    const customerId = 'c-declined';
    const error = await grpcError(call(api.order.placeOrder.bind(api.order), order({ customerId, cardToken: 'tok_decline_stolen' })));
    expect(error.code).to.equal(status.FAILED_PRECONDITION);
    expect(error.details).to.match(/payment declined/);
    const viaRest = await rest(system, 'POST', '/v1/orders', { ...order({ customerId }), cardToken: 'tok_decline_stolen' });
    expect(viaRest.status).to.equal(400);
    expect(viaRest.body.details[0]?.reason).to.equal('ORDER.PAYMENT_DECLINED');
    const { orders } = await call(api.order.listOrders.bind(api.order), { customerId, pageSize: 0, pageToken: '' });
    expect(orders).to.have.lengthOf(0);
  });

  it('returns the same order for the same idempotency key (field or REST header) and pays once', async () => {
    const request = order({ idempotencyKey: `key-${randomUUID()}` });
    const first = await call(api.order.placeOrder.bind(api.order), request);
    const again = await call(api.order.placeOrder.bind(api.order), request);
    expect(again.order?.orderId).to.equal(first.order?.orderId);
    expect(again.order?.paymentId).to.equal(first.order?.paymentId);

    const headerKey = `key-${randomUUID()}`;
    const body = { ...order({ customerId: 'c-header-key' }), idempotencyKey: undefined };
    const viaRest = await rest(system, 'POST', '/v1/orders', body, { 'idempotency-key': headerKey });
    const viaRestAgain = await rest(system, 'POST', '/v1/orders', body, { 'idempotency-key': headerKey });
    expect(viaRestAgain.body.order.orderId).to.equal(viaRest.body.order.orderId);

    const { orders } = await call(api.order.listOrders.bind(api.order), { customerId: request.customerId, pageSize: 0, pageToken: '' });
    expect(orders).to.have.length(1);
    const approvals = await waitForEvents(system, 'FOODDELIVERY_PAYMENT', (event) => event.orderId === first.order?.orderId, 1);
    expect(approvals.filter((event) => event.subject === 'fooddelivery.payment.approved')).to.have.length(1);
  });

  it('answers a conflict for the same idempotency key with a different request (gRPC ALREADY_EXISTS, REST 409), never the other order', async () => {
    const key = `key-${randomUUID()}`;
    const request = order({ customerId: 'c-key-reuse', idempotencyKey: key });
    const first = await call(api.order.placeOrder.bind(api.order), request);
    const error = await grpcError(call(api.order.placeOrder.bind(api.order), { ...request, deliveryAddress: '1 Another-ro, Busan' }));
    expect(error.code).to.equal(status.ALREADY_EXISTS);
    expect(error.details).to.include('idempotency key');
    const viaRest = await rest(
      system,
      'POST',
      '/v1/orders',
      { ...request, idempotencyKey: undefined, storeId: 'store-busan-noodles', lines: [{ menuItemId: 'mandu', quantity: 1 }] },
      { 'idempotency-key': key },
    );
    expect(viaRest.status).to.equal(409);
    expect(viaRest.body.details[0]?.reason).to.equal('ORDER.IDEMPOTENCY_KEY_REUSED');
    expect(JSON.stringify(viaRest.body)).to.not.include(first.order!.orderId);
  });

  it("lists a customer's orders newest first, a page at a time", async () => {
    const customerId = `c-pages-${randomUUID().slice(0, 6)}`;
    const placed: string[] = [];
    for (let i = 0; i < 3; i++) placed.push((await call(api.order.placeOrder.bind(api.order), order({ customerId }))).order!.orderId);
    const first = await call(api.order.listOrders.bind(api.order), { customerId, pageSize: 2, pageToken: '' });
    expect(first.orders).to.have.length(2);
    expect(first.nextPageToken).to.not.equal('');
    const second = await call(api.order.listOrders.bind(api.order), { customerId, pageSize: 2, pageToken: first.nextPageToken });
    expect(second.orders).to.have.length(1);
    expect(second.nextPageToken).to.equal('');
    expect([...first.orders, ...second.orders].map((listed) => listed.orderId)).to.have.members(placed);
  });
});

async function waitForEvents(
  system: TestSystem,
  stream: string,
  match: (event: Awaited<ReturnType<typeof streamEvents>>[number]) => boolean,
  atLeast: number,
) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const events = (await streamEvents(system.nats.url, stream)).filter(match);
    if (events.length >= atLeast || Date.now() > deadline) return events;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
