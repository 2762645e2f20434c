import {
  OrderServiceClient,
  OrderServiceService,
  PlaceOrderRequest,
  PlaceOrderResponse,
} from '@fooddelivery/gen/fooddelivery/order/v1/order_service';
import { stopAll } from '@fooddelivery/stack/processes';
import { startSystem, type TestSystem } from '@fooddelivery/stack/system';
import { devToken } from '@fooddelivery/stack/tokens';
import { credentials, makeGenericClientConstructor, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { expect } from 'chai';
import { exportPKCS8, generateKeyPair } from 'jose';
import { eventually } from '../support/events.js';
import { storeOrder } from '../support/flow.js';
import { call, clients, grpcError } from '../support/grpc-clients.js';
import { anOrder } from '../support/orders.js';

const STORE = 'store-seoul-chicken';
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('security: tokens checked by every service, and who may do what (gRPC and REST)', function () {
  this.timeout(180_000);
  let system: TestSystem;
  let api: ReturnType<typeof clients>;
  const tokens: Record<string, string> = {};
  let orderOfA: string;

  const rest = async (
    service: 'order' | 'payment' | 'store' | 'notification',
    method: string,
    path: string,
    token?: string,
    body?: unknown,
  ) => {
    const response = await fetch(`${system.service(service).http}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token && bearer(token)) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as { message?: string } };
  };

  before(async () => {
    const jwt = { AUTH_MODE: 'jwt' };
    system = await startSystem(['payment', 'order', 'store', 'notification'], {
      payment: { ...jwt, PAYMENT_LATENCY_MIN_MS: '0', PAYMENT_LATENCY_MAX_MS: '2' },
      order: jwt,
      store: jwt,
      notification: jwt,
    });
    api = clients({
      order: system.service('order').grpc,
      payment: system.service('payment').grpc,
      store: system.service('store').grpc,
      notification: system.service('notification').grpc,
    });
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    Object.assign(tokens, {
      a: await devToken('customer', 'c-alice'),
      b: await devToken('customer', 'c-bob'),
      owner: await devToken('store_owner', STORE),
      otherOwner: await devToken('store_owner', 'store-busan-noodles'),
      expired: await devToken('customer', 'c-alice', { expiresIn: '-5m' }),
      forged: await devToken('customer', 'c-alice', { privateKeyPem: await exportPKCS8(privateKey) }),
      wrongAudience: await devToken('customer', 'c-alice', { audience: 'another-system' }),
    });
    const placed = await call(api.order.placeOrder.bind(api.order), anOrder({ customerId: '' }), { metadata: bearer(tokens.a!) });
    orderOfA = placed.order!.orderId;
    expect(placed.order?.customerId, 'the customer comes from the token').to.equal('c-alice');
  });
  after(async () => {
    api?.close();
    await stopAll();
  });

  for (const [name, token] of [
    ['no token', undefined],
    ['an expired token', 'expired'],
    ['a wrongly signed token', 'forged'],
    ['a token for another audience', 'wrongAudience'],
  ] as const) {
    it(`${name} → UNAUTHENTICATED / 401 on every service`, async () => {
      const metadata = token ? bearer(tokens[token]!) : {};
      const errors = [
        await grpcError(call(api.order.getOrder.bind(api.order), { orderId: orderOfA }, { metadata })),
        await grpcError(call(api.order.placeOrder.bind(api.order), anOrder(), { metadata })),
        await grpcError(call(api.payment.getPayment.bind(api.payment), { orderId: orderOfA }, { metadata })),
        await grpcError(
          call(api.store.listStoreOrders.bind(api.store), { storeId: STORE, status: 0, pageSize: 0, pageToken: '' }, { metadata }),
        ),
      ];
      for (const error of errors) expect(error.code).to.equal(status.UNAUTHENTICATED);
      const value = token ? tokens[token] : undefined;
      expect((await rest('order', 'GET', `/v1/orders/${orderOfA}`, value)).status).to.equal(401);
      expect((await rest('order', 'POST', '/v1/orders', value, anOrder())).status).to.equal(401);
      expect((await rest('payment', 'GET', `/v1/payments/${orderOfA}`, value)).status).to.equal(401);
      expect((await rest('store', 'GET', `/v1/stores/${STORE}/orders`, value)).status).to.equal(401);
    });
  }

  it('browsing stores and menus needs no token', async () => {
    expect((await call(api.order.listStores.bind(api.order), {})).stores.length).to.be.greaterThan(0);
    expect((await rest('order', 'GET', `/v1/stores/${STORE}/menu`)).status).to.equal(200);
  });

  it("customer B cannot read or cancel customer A's order, nor list A's orders", async () => {
    const asB = { metadata: bearer(tokens.b!) };
    expect((await grpcError(call(api.order.getOrder.bind(api.order), { orderId: orderOfA }, asB))).code).to.equal(status.NOT_FOUND);
    expect((await grpcError(call(api.order.cancelOrder.bind(api.order), { orderId: orderOfA, reason: '' }, asB))).code).to.equal(
      status.NOT_FOUND,
    );
    expect((await grpcError(call(api.payment.getPayment.bind(api.payment), { orderId: orderOfA }, asB))).code).to.equal(status.NOT_FOUND);
    expect(
      (await grpcError(call(api.order.listOrders.bind(api.order), { customerId: 'c-alice', pageSize: 0, pageToken: '' }, asB))).code,
    ).to.equal(status.PERMISSION_DENIED);
    expect((await rest('order', 'GET', `/v1/orders/${orderOfA}`, tokens.b)).status).to.equal(404);
    expect((await rest('order', 'POST', `/v1/orders/${orderOfA}:cancel`, tokens.b, {})).status).to.equal(404);
    expect((await rest('order', 'GET', '/v1/orders?customerId=c-alice', tokens.b)).status).to.equal(403);
    expect((await rest('order', 'GET', `/v1/orders/${orderOfA}`, tokens.a)).status, 'A still reads it').to.equal(200);
  });

  it("tracking and notifications: no token → 401, customer B cannot follow A's order or read A's messages", async () => {
    const asA = { metadata: bearer(tokens.a!) };
    await eventually(
      "the tracking of A's order",
      async () =>
        (await call(api.tracking.getOrderTracking.bind(api.tracking), { orderId: orderOfA }, asA).catch(() => undefined))?.tracking,
    );
    const asB = { metadata: bearer(tokens.b!) };
    expect((await grpcError(call(api.tracking.getOrderTracking.bind(api.tracking), { orderId: orderOfA }))).code).to.equal(
      status.UNAUTHENTICATED,
    );
    expect((await grpcError(call(api.tracking.getOrderTracking.bind(api.tracking), { orderId: orderOfA }, asB))).code).to.equal(
      status.NOT_FOUND,
    );
    expect(
      (await grpcError(call(api.tracking.listNotifications.bind(api.tracking), { customerId: 'c-alice', pageSize: 0, pageToken: '' }, asB)))
        .code,
    ).to.equal(status.PERMISSION_DENIED);
    expect((await rest('notification', 'GET', `/v1/orders/${orderOfA}/tracking`)).status).to.equal(401);
    expect((await rest('notification', 'GET', `/v1/orders/${orderOfA}/tracking`, tokens.b)).status).to.equal(404);
    expect((await rest('notification', 'GET', '/v1/customers/c-alice/notifications', tokens.b)).status).to.equal(403);
    expect((await rest('notification', 'GET', `/v1/orders/${orderOfA}/tracking`, tokens.a)).status).to.equal(200);
  });

  it('a customer calling store-owner or payment-internal RPCs → PERMISSION_DENIED / 403', async () => {
    const asA = { metadata: bearer(tokens.a!) };
    expect((await grpcError(call(api.store.acceptOrder.bind(api.store), { storeId: STORE, orderId: orderOfA }, asA))).code).to.equal(
      status.PERMISSION_DENIED,
    );
    expect(
      (await grpcError(call(api.payment.refundPayment.bind(api.payment), { orderId: orderOfA, reason: 'free food' }, asA))).code,
    ).to.equal(status.PERMISSION_DENIED);
    const approve = {
      orderId: 'o-x',
      customerId: 'c-alice',
      amount: { currencyCode: 'KRW', amountMinor: 1 },
      cardToken: 't',
      storeId: STORE,
      items: [],
      deliveryAddress: 'x',
    };
    expect((await grpcError(call(api.payment.approvePayment.bind(api.payment), approve, asA))).code).to.equal(status.PERMISSION_DENIED);
    expect((await rest('store', 'POST', `/v1/stores/${STORE}/orders/${orderOfA}:accept`, tokens.a, {})).status).to.equal(403);
    expect((await rest('payment', 'POST', `/v1/payments/${orderOfA}:refund`, tokens.a, { reason: 'free food' })).status).to.equal(403);
    expect((await rest('payment', 'POST', '/v1/payments', tokens.a, approve)).status).to.equal(403);
  });

  it("a store owner acts on their own store's orders only", async () => {
    await storeOrder(api.store, STORE, orderOfA, 15_000).catch(() => undefined);
    const accepted = await call(
      api.store.acceptOrder.bind(api.store),
      { storeId: STORE, orderId: orderOfA },
      { metadata: bearer(tokens.owner!) },
    );
    expect(accepted.order?.orderId).to.equal(orderOfA);
    const other = await grpcError(
      call(api.store.startCooking.bind(api.store), { storeId: STORE, orderId: orderOfA }, { metadata: bearer(tokens.otherOwner!) }),
    );
    expect(other.code).to.equal(status.PERMISSION_DENIED);
    expect((await rest('store', 'GET', `/v1/stores/${STORE}/orders`, tokens.otherOwner)).status).to.equal(403);
  });

  it('a client-supplied price or status is ignored (gRPC) or refused (REST)', async () => {
    // gRPC: a request carrying extra fields (as a newer or hostile client could) is priced from the menu.
    const withExtras = (request: PlaceOrderRequest) =>
      Buffer.concat([
        Buffer.from(PlaceOrderRequest.encode(request).finish()),
        Buffer.from([0xb8, 0x06, 0x01]), // field 103 (varint) = 1: a "price" the contract does not have
        Buffer.from([0xc0, 0x06, 0x05]), // field 104 (varint) = 5: a "status"
      ]);
    const Raw = makeGenericClientConstructor(
      { ...OrderServiceService, placeOrder: { ...OrderServiceService.placeOrder, requestSerialize: withExtras } },
      'OrderService',
    );
    const raw = new Raw(system.service('order').grpc, credentials.createInsecure()) as unknown as OrderServiceClient;
    const response = await new Promise<PlaceOrderResponse>((resolve, reject) => {
      const metadata = new Metadata();
      metadata.set('authorization', `Bearer ${tokens.a}`);
      raw.placeOrder(
        anOrder({ customerId: '' }),
        metadata,
        { deadline: Date.now() + 10_000 },
        (error: ServiceError | null, value: PlaceOrderResponse) => (error ? reject(error) : resolve(value)),
      );
    });
    raw.close();
    expect(response.order?.total).to.deep.equal({ currencyCode: 'KRW', amountMinor: 38500 });
    expect(response.order?.status).to.equal(1);

    for (const extra of [{ price: 1 }, { status: 'ORDER_STATUS_DELIVERED' }, { total: { currencyCode: 'KRW', amountMinor: '1' } }]) {
      const refused = await rest('order', 'POST', '/v1/orders', tokens.a, { ...anOrder({ customerId: '' }), ...extra });
      expect(refused.status).to.equal(400);
      expect(refused.body.message).to.include(Object.keys(extra)[0]);
    }
  });
});
