import { stopAll } from '@fooddelivery/stack/processes';
import { credentials, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { OrderServiceService } from '@fooddelivery/gen/fooddelivery/order/v1/order_service';
import { PaymentServiceService } from '@fooddelivery/gen/fooddelivery/payment/v1/payment_service';
import { StoreServiceService } from '@fooddelivery/gen/fooddelivery/store/v1/store_service';
import { makeGenericClientConstructor, type Client } from '@grpc/grpc-js';
import { expect } from 'chai';
import { startSystem, type TestSystem } from '@fooddelivery/stack/system';
import type { UnaryMethod } from '../support/grpc-clients.js';

const huge = 'x'.repeat(100_000);
const goodLine = { menuItemId: 'fried-chicken', quantity: 1 };
const goodOrder = { customerId: 'c-1', storeId: 'store-seoul-chicken', lines: [goodLine], deliveryAddress: 'Seoul', cardToken: 'tok_visa' };
const goodPayment = {
  orderId: 'o-bad-input',
  customerId: 'c-1',
  amount: { currencyCode: 'KRW', amountMinor: 1000 },
  cardToken: 'tok_visa',
  storeId: 'store-seoul-chicken',
  items: [
    {
      menuItemId: 'cola',
      name: 'Cola',
      quantity: 1,
      unitPrice: { currencyCode: 'KRW', amountMinor: 1000 },
      lineTotal: { currencyCode: 'KRW', amountMinor: 1000 },
    },
  ],
  deliveryAddress: 'Seoul',
};

interface Case {
  service: 'order' | 'payment' | 'store';
  rpc: string;
  request: Record<string, unknown>;
  /** gRPC status and the field the message must name. */
  grpc: status;
  field: string;
  /** REST equivalent: method, path and body, with the HTTP status expected. */
  rest: [method: string, path: string, body?: unknown];
  http: number;
}

const cases: Case[] = [
  {
    service: 'order',
    rpc: 'getMenu',
    request: { storeId: '' },
    grpc: status.INVALID_ARGUMENT,
    field: 'store_id',
    rest: ['GET', '/v1/stores/%20/menu'],
    http: 400,
  },
  {
    service: 'order',
    rpc: 'getMenu',
    request: { storeId: 'store-nowhere' },
    grpc: status.NOT_FOUND,
    field: 'store-nowhere',
    rest: ['GET', '/v1/stores/store-nowhere/menu'],
    http: 404,
  },
  {
    service: 'order',
    rpc: 'getMenu',
    request: { storeId: huge },
    grpc: status.INVALID_ARGUMENT,
    field: 'store_id',
    rest: ['GET', `/v1/stores/${'x'.repeat(5000)}/menu`],
    http: 400,
  },
  {
    service: 'order',
    rpc: 'placeOrder',
    request: { ...goodOrder, customerId: '' },
    grpc: status.INVALID_ARGUMENT,
    field: 'customer_id',
    rest: ['POST', '/v1/orders', { ...goodOrder, customerId: '' }],
    http: 400,
  },
  {
    service: 'order',
    rpc: 'placeOrder',
    request: { ...goodOrder, lines: [] },
    grpc: status.INVALID_ARGUMENT,
    field: 'lines',
    rest: ['POST', '/v1/orders', { ...goodOrder, lines: [] }],
    http: 400,
  },
  {
    service: 'order',
    rpc: 'placeOrder',
    request: { ...goodOrder, lines: [{ ...goodLine, quantity: -2 }] },
    grpc: status.INVALID_ARGUMENT,
    field: 'lines[0].quantity',
    rest: ['POST', '/v1/orders', { ...goodOrder, lines: [{ ...goodLine, quantity: -2 }] }],
    http: 400,
  },
  {
    service: 'order',
    rpc: 'placeOrder',
    request: { ...goodOrder, lines: [{ menuItemId: 'pizza', quantity: 1 }] },
    grpc: status.INVALID_ARGUMENT,
    field: 'lines[0].menu_item_id',
    rest: ['POST', '/v1/orders', { ...goodOrder, lines: [{ menuItemId: 'pizza', quantity: 1 }] }],
    http: 400,
  },
  {
    service: 'order',
    rpc: 'placeOrder',
    request: { ...goodOrder, storeId: 'store-nowhere' },
    grpc: status.NOT_FOUND,
    field: 'store-nowhere',
    rest: ['POST', '/v1/orders', { ...goodOrder, storeId: 'store-nowhere' }],
    http: 404,
  },
  {
    service: 'order',
    rpc: 'placeOrder',
    request: { ...goodOrder, storeId: 'store-jeju-grill', lines: [{ menuItemId: 'black-pork-set', quantity: 1 }] },
    grpc: status.FAILED_PRECONDITION,
    field: 'closed',
    rest: ['POST', '/v1/orders', { ...goodOrder, storeId: 'store-jeju-grill', lines: [{ menuItemId: 'black-pork-set', quantity: 1 }] }],
    http: 400,
  },
  {
    service: 'order',
    rpc: 'placeOrder',
    request: { ...goodOrder, deliveryAddress: huge },
    grpc: status.INVALID_ARGUMENT,
    field: 'delivery_address',
    rest: ['POST', '/v1/orders', { ...goodOrder, deliveryAddress: 'x'.repeat(600) }],
    http: 400,
  },
  {
    service: 'order',
    rpc: 'placeOrder',
    request: { ...goodOrder, cardToken: '' },
    grpc: status.INVALID_ARGUMENT,
    field: 'card_token',
    rest: ['POST', '/v1/orders', { ...goodOrder, cardToken: '' }],
    http: 400,
  },
  {
    service: 'order',
    rpc: 'getOrder',
    request: { orderId: '' },
    grpc: status.INVALID_ARGUMENT,
    field: 'order_id',
    rest: ['GET', '/v1/orders/%20'],
    http: 400,
  },
  {
    service: 'order',
    rpc: 'getOrder',
    request: { orderId: 'o-unknown' },
    grpc: status.NOT_FOUND,
    field: 'o-unknown',
    rest: ['GET', '/v1/orders/o-unknown'],
    http: 404,
  },
  {
    service: 'order',
    rpc: 'listOrders',
    request: { customerId: '', pageSize: 0, pageToken: '' },
    grpc: status.INVALID_ARGUMENT,
    field: 'customer_id',
    rest: ['GET', '/v1/orders'],
    http: 400,
  },
  {
    service: 'order',
    rpc: 'listOrders',
    request: { customerId: 'c-1', pageSize: 1000, pageToken: '' },
    grpc: status.INVALID_ARGUMENT,
    field: 'page_size',
    rest: ['GET', '/v1/orders?customerId=c-1&pageSize=1000'],
    http: 400,
  },
  {
    service: 'order',
    rpc: 'listOrders',
    request: { customerId: 'c-1', pageSize: 0, pageToken: 'forged' },
    grpc: status.INVALID_ARGUMENT,
    field: 'page_token',
    rest: ['GET', '/v1/orders?customerId=c-1&pageToken=forged'],
    http: 400,
  },
  {
    service: 'order',
    rpc: 'cancelOrder',
    request: { orderId: '', reason: '' },
    grpc: status.INVALID_ARGUMENT,
    field: 'order_id',
    rest: ['POST', '/v1/orders/%20:cancel', {}],
    http: 400,
  },
  {
    service: 'order',
    rpc: 'cancelOrder',
    request: { orderId: 'o-unknown', reason: '' },
    grpc: status.NOT_FOUND,
    field: 'o-unknown',
    rest: ['POST', '/v1/orders/o-unknown:cancel', {}],
    http: 404,
  },
  {
    service: 'payment',
    rpc: 'approvePayment',
    request: { ...goodPayment, orderId: '' },
    grpc: status.INVALID_ARGUMENT,
    field: 'order_id',
    rest: ['POST', '/v1/payments', { ...goodPayment, orderId: '' }],
    http: 400,
  },
  {
    service: 'payment',
    rpc: 'approvePayment',
    request: { ...goodPayment, amount: { currencyCode: 'KRW', amountMinor: -5 } },
    grpc: status.INVALID_ARGUMENT,
    field: 'amount',
    rest: ['POST', '/v1/payments', { ...goodPayment, amount: { currencyCode: 'KRW', amountMinor: '-5' } }],
    http: 400,
  },
  {
    service: 'payment',
    rpc: 'approvePayment',
    request: { ...goodPayment, cardToken: huge },
    grpc: status.INVALID_ARGUMENT,
    field: 'card_token',
    rest: ['POST', '/v1/payments', { ...goodPayment, cardToken: 'x'.repeat(200) }],
    http: 400,
  },
  {
    service: 'payment',
    rpc: 'refundPayment',
    request: { orderId: '', reason: '' },
    grpc: status.INVALID_ARGUMENT,
    field: 'order_id',
    rest: ['POST', '/v1/payments/%20:refund', {}],
    http: 400,
  },
  {
    service: 'payment',
    rpc: 'getPayment',
    request: { orderId: 'o-unknown' },
    grpc: status.NOT_FOUND,
    field: 'o-unknown',
    rest: ['GET', '/v1/payments/o-unknown'],
    http: 404,
  },
];

// Control characters in any text field: refused naming the field, in every service (a NUL once
// failed payment's SQLite insert and counted against payment's circuit breaker).
const nul = 'Seoul\u0000';
cases.push(
  ...[
    { field: 'delivery_address', change: { deliveryAddress: nul } },
    { field: 'card_token', change: { cardToken: 'tok\nvisa' } },
    { field: 'idempotency_key', change: { idempotencyKey: 'key\u0007' } },
  ].map(
    ({ field, change }): Case => ({
      service: 'order',
      rpc: 'placeOrder',
      request: { ...goodOrder, ...change },
      grpc: status.INVALID_ARGUMENT,
      field,
      rest: ['POST', '/v1/orders', { ...goodOrder, ...change }],
      http: 400,
    }),
  ),
  {
    service: 'order',
    rpc: 'cancelOrder',
    request: { orderId: 'o-1', reason: 'bye\u001b[2J' },
    grpc: status.INVALID_ARGUMENT,
    field: 'reason',
    rest: ['POST', '/v1/orders/o-1:cancel', { reason: 'bye\u001b[2J' }],
    http: 400,
  },
  {
    service: 'payment',
    rpc: 'approvePayment',
    request: { ...goodPayment, deliveryAddress: nul },
    grpc: status.INVALID_ARGUMENT,
    field: 'delivery_address',
    rest: ['POST', '/v1/payments', { ...goodPayment, deliveryAddress: nul }],
    http: 400,
  },
  {
    service: 'payment',
    rpc: 'refundPayment',
    request: { orderId: 'o-1', reason: 'x\u0000' },
    grpc: status.INVALID_ARGUMENT,
    field: 'reason',
    rest: ['POST', '/v1/payments/o-1:refund', { reason: 'x\u0000' }],
    http: 400,
  },
  {
    service: 'store',
    rpc: 'rejectOrder',
    request: { storeId: 'store-seoul-chicken', orderId: 'o-1', reason: 'no\u0085' },
    grpc: status.INVALID_ARGUMENT,
    field: 'reason',
    rest: ['POST', '/v1/stores/store-seoul-chicken/orders/o-1:reject', { reason: 'no\u0085' }],
    http: 400,
  },
);

/** Malformed REST bodies the transcoder rejects before any use case runs. */
const malformed: Array<[string, string, string]> = [
  ['not JSON', '{"customerId": ', 'body'],
  ['a JSON array', '[1,2]', 'body'],
  ['an unknown field (a client-set price)', JSON.stringify({ ...goodOrder, price: 1 }), 'price'],
  ['a string where a number belongs', JSON.stringify({ ...goodOrder, lines: [{ menuItemId: 'cola', quantity: 'two' }] }), 'quantity'],
];

/** A generic client, its methods called by name. */
type RawClient = Client & Record<string, UnaryMethod<unknown, unknown>>;

describe('bad input gets a 4xx naming the field, never a 500', function () {
  this.timeout(120_000);
  let system: TestSystem;
  const grpcClients: Record<string, RawClient> = {};

  before(async () => {
    system = await startSystem(['payment', 'order', 'store'], { payment: { PAYMENT_LATENCY_MIN_MS: '0', PAYMENT_LATENCY_MAX_MS: '0' } });
    const Order = makeGenericClientConstructor(OrderServiceService, 'OrderService');
    const Payment = makeGenericClientConstructor(PaymentServiceService, 'PaymentService');
    const Store = makeGenericClientConstructor(StoreServiceService, 'StoreService');
    grpcClients.order = new Order(system.service('order').grpc, credentials.createInsecure()) as RawClient;
    grpcClients.payment = new Payment(system.service('payment').grpc, credentials.createInsecure()) as RawClient;
    grpcClients.store = new Store(system.service('store').grpc, credentials.createInsecure()) as RawClient;
  });
  after(async () => {
    for (const client of Object.values(grpcClients)) client.close();
    await stopAll();
  });

  for (const testCase of cases) {
    const name = `${testCase.service}.${testCase.rpc} ${JSON.stringify(testCase.request).slice(0, 70)}`;
    it(`gRPC ${name} → ${status[testCase.grpc]}`, async () => {
      const client = grpcClients[testCase.service]!;
      const error = await new Promise<ServiceError | undefined>((resolve) => {
        client[testCase.rpc]!.call(
          client,
          testCase.request,
          new Metadata(),
          { deadline: Date.now() + 10_000 },
          (err: ServiceError | null) => resolve(err ?? undefined),
        );
      });
      expect(error, 'the call must fail').to.not.equal(undefined);
      expect(error!.code).to.equal(testCase.grpc);
      expect(error!.details).to.include(testCase.field);
    });

    it(`REST ${testCase.rest[0]} ${testCase.rest[1].slice(0, 60)} → ${testCase.http}`, async () => {
      const [method, path, body] = testCase.rest;
      const response = await fetch(`${system.service(testCase.service).http}${path}`, {
        method,
        headers: { 'content-type': 'application/json' },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
      expect(response.status).to.equal(testCase.http);
      const payload = (await response.json()) as { code: number; message: string };
      expect(payload.code).to.equal(testCase.grpc === status.FAILED_PRECONDITION ? status.FAILED_PRECONDITION : testCase.grpc);
      expect(payload.message).to.match(/\S/);
    });
  }

  for (const [what, body, field] of malformed) {
    it(`REST POST /v1/orders with ${what} → 400 naming ${field}`, async () => {
      const response = await fetch(`${system.service('order').http}/v1/orders`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      expect(response.status).to.equal(400);
      const payload = (await response.json()) as { message: string; details: Array<{ metadata: { field?: string } }> };
      expect(payload.details[0]?.metadata.field ?? payload.message).to.include(field);
    });
  }

  it('REST refuses a body over the size limit with 413 (the client gets the answer, not a reset), and an unknown path with 404', async () => {
    // Twenty at once, 1 and 4 MB: the answer must not race the upload the server refuses to read.
    const statuses = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const tooBig = await fetch(`${system.service('order').http}/v1/orders`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ ...goodOrder, deliveryAddress: 'x'.repeat(i % 2 ? 1_000_000 : 4_000_000) }),
        });
        return tooBig.status;
      }),
    );
    expect(statuses).to.deep.equal(Array.from({ length: 20 }, () => 413));
    expect((await fetch(`${system.service('order').http}/v1/nothing-here`)).status).to.equal(404);
  });
});
