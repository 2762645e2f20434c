/*
 * The marketing context (services/marketing, Python) joined to the running system only by
 * subscribing to the order and store streams: orders placed and taken to delivered through the
 * real order, payment and store services give coupons, read over gRPC and REST with customer
 * tokens; its consumers keep the other consumers' guarantees through a crash and a downtime.
 */
import { MarketingServiceClient, type ListCouponsResponse } from '@fooddelivery/gen/fooddelivery/marketing/v1/marketing_service';
import { CouponIssued } from '@fooddelivery/gen/fooddelivery/marketing/v1/marketing_events';
import { stopAll } from '@fooddelivery/stack/processes';
import { startSystem, type TestSystem } from '@fooddelivery/stack/system';
import { devToken } from '@fooddelivery/stack/tokens';
import { credentials } from '@grpc/grpc-js';
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { eventually, streamEvents } from '../support/events.js';
import { storeOrder } from '../support/flow.js';
import { call, clients, type UnaryMethod } from '../support/grpc-clients.js';
import { metric } from '../support/metrics.js';
import { anOrder } from '../support/orders.js';

const STORE = 'store-busan-noodles';
const FOLLOW_STORES = 'marketing-follow-stores';

describe('marketing: coupons and recommendations from the events alone (Python service)', function () {
  this.timeout(300_000);
  let system: TestSystem;
  let api: ReturnType<typeof clients>;
  let marketing: MarketingServiceClient;

  const marketingEnv = { AUTH_MODE: 'jwt', CONSUMER_ACK_WAIT_MS: '2000', CONSUMER_BACKOFF_MS: '100,200,300' };

  before(async () => {
    system = await startSystem(['payment', 'order', 'store', 'marketing'], {
      payment: { PAYMENT_LATENCY_MIN_MS: '0', PAYMENT_LATENCY_MAX_MS: '2' },
      marketing: marketingEnv,
    });
    api = clients({ order: system.service('order').grpc, store: system.service('store').grpc });
    marketing = new MarketingServiceClient(system.service('marketing').grpc, credentials.createInsecure());
  });
  after(async () => {
    api?.close();
    marketing?.close();
    await stopAll();
  });

  /** Places an order for the customer and takes it through the store to delivered; returns its id. */
  async function deliveredOrder(customerId: string): Promise<string> {
    const order = anOrder({ customerId, storeId: STORE, lines: [{ menuItemId: 'mandu', quantity: 2 }] });
    const { orderId } = (await call(api.order.placeOrder.bind(api.order), order)).order!;
    await storeOrder(api.store, STORE, orderId);
    for (const rpc of ['acceptOrder', 'startCooking', 'startDelivery', 'completeDelivery'] as const) {
      await call((api.store[rpc] as UnaryMethod<{ storeId: string; orderId: string }, unknown>).bind(api.store), {
        storeId: STORE,
        orderId,
      });
    }
    return orderId;
  }

  async function coupons(customerId: string): Promise<ListCouponsResponse> {
    const token = await devToken('customer', customerId);
    return call(
      marketing.listCoupons.bind(marketing),
      { customerId: '', pageSize: 100, pageToken: '' },
      {
        metadata: { authorization: `Bearer ${token}` },
      },
    );
  }

  async function recommendations(customerId: string): Promise<{ deliveredOrders?: number }> {
    const token = await devToken('customer', customerId);
    const response = await fetch(`${system.service('marketing').http}/v1/customers/${customerId}/recommendations`, {
      headers: { authorization: `Bearer ${token}` },
    });
    return (await response.json()) as { deliveredOrders?: number };
  }

  async function couponsIssued(orderIds: string[]): Promise<CouponIssued[]> {
    const wanted = new Set(orderIds);
    return (await streamEvents(system.nats.url, 'FOODDELIVERY_MARKETING'))
      .filter((event) => wanted.has(event.orderId))
      .map((event) => CouponIssued.decode(event.data));
  }

  it('three delivered orders of one customer give one coupon, over gRPC and REST', async () => {
    const customerId = `c-${randomUUID().slice(0, 8)}`;
    const orders: string[] = [];
    for (let i = 0; i < 3; i++) orders.push(await deliveredOrder(customerId));

    const { coupons: found } = await eventually('the coupon', async () => {
      const page = await coupons(customerId);
      return page.coupons.length > 0 ? page : undefined;
    });
    expect(found).to.have.length(1);
    expect(found[0]).to.deep.include({ customerId, earnedByOrderId: orders[2], deliveredOrders: 3 });
    expect(found[0]!.amount).to.deep.equal({ currencyCode: 'KRW', amountMinor: 3000 });

    const token = await devToken('customer', customerId);
    const http = system.service('marketing').http;
    const rest = await fetch(`${http}/v1/customers/${customerId}/coupons`, { headers: { authorization: `Bearer ${token}` } });
    expect(rest.status).to.equal(200);
    const body = (await rest.json()) as { coupons: Array<Record<string, unknown>> };
    expect(body.coupons).to.have.length(1);
    expect(body.coupons[0]).to.deep.include({ couponId: found[0]!.couponId, earnedByOrderId: orders[2], deliveredOrders: 3 });
    expect(body.coupons[0]!.amount).to.deep.equal({ currencyCode: 'KRW', amountMinor: '3000' });

    const other = await devToken('customer', 'c-someone-else');
    const denied = await fetch(`${http}/v1/customers/${customerId}/coupons`, { headers: { authorization: `Bearer ${other}` } });
    expect(denied.status).to.equal(403);
    expect(((await denied.json()) as { code: number }).code).to.equal(7);

    // The items come from OrderPlaced, on another stream and consumer than the deliveries: eventually there.
    const recommendations = await eventually("the recommendations with every order's items", async () => {
      const response = await fetch(`${http}/v1/customers/${customerId}/recommendations`, { headers: { authorization: `Bearer ${token}` } });
      const body = (await response.json()) as {
        stores: Array<Record<string, unknown>>;
        menuItems: Array<{ quantityOrdered?: number }>;
        deliveredOrders: number;
      };
      return body.menuItems?.[0]?.quantityOrdered === 6 ? body : undefined;
    });
    expect(recommendations.deliveredOrders).to.equal(3);
    expect(recommendations.stores).to.have.length(1);
    expect(recommendations.stores[0]).to.deep.include({ storeId: STORE, deliveredOrders: 3 });
    expect(recommendations.menuItems).to.deep.equal([
      { storeId: STORE, menuItemId: 'mandu', name: 'Steamed dumplings', quantityOrdered: 6, orders: 3 },
    ]);

    const issued = await eventually('CouponIssued on FOODDELIVERY_MARKETING', async () => {
      const events = await couponsIssued(orders);
      return events.length > 0 ? events : undefined;
    });
    expect(issued.map((event) => event.couponId)).to.deep.equal([found[0]!.couponId]);
    console.log('      checked: 3 deliveries, 1 coupon (gRPC and REST), 1 CouponIssued, another customer refused');
  });

  it('a redelivered event issues nothing twice: marketing killed between the coupon and the ack', async () => {
    const customerId = `c-${randomUUID().slice(0, 8)}`;
    const orders = [await deliveredOrder(customerId), await deliveredOrder(customerId)];
    await eventually('two deliveries counted', async () => ((await recommendations(customerId)).deliveredOrders === 2 ? true : undefined));
    // The third delivery is handled by a marketing that pauses between each event's effect and its ack.
    await system.stop('marketing');
    orders.push(await deliveredOrder(customerId));
    await system.start('marketing', { ...marketingEnv, FAULT_DELAY_BEFORE_ACK_MS: '2000', CONSUMER_ACK_WAIT_MS: '10000' });
    await eventually('the coupon', async () => ((await coupons(customerId)).coupons.length > 0 ? true : undefined), 30_000);
    await system.service('marketing').process.kill();
    delete system.services.marketing;

    const restarted = await system.start('marketing', marketingEnv);
    await eventually(
      'the redelivery, handled',
      async () =>
        (await metric(restarted.http, 'events_consumed_total', { consumer: FOLLOW_STORES, outcome: 'redelivered' })) >= 1 &&
        (await metric(restarted.http, 'events_consumed_total', { consumer: FOLLOW_STORES, outcome: 'handled' })) >= 1
          ? true
          : undefined,
      30_000,
    );
    expect((await coupons(customerId)).coupons).to.have.length(1);
    expect((await recommendations(customerId)).deliveredOrders).to.equal(3);
    const issued = await eventually('its CouponIssued', async () => {
      const events = await couponsIssued(orders);
      return events.length > 0 ? events : undefined;
    });
    expect(issued).to.have.length(1);
    console.log('      checked: coupon issued, process killed before the ack, redelivered: 1 coupon, 1 CouponIssued');
  });

  it('marketing down for 50 delivered orders: it catches up, every coupon issued once', async () => {
    await system.stop('marketing');
    const customers = Array.from({ length: 5 }, () => `c-${randomUUID().slice(0, 8)}`);
    const orders: string[] = [];
    for (let round = 0; round < 10; round++) for (const customerId of customers) orders.push(await deliveredOrder(customerId));
    expect(orders).to.have.length(50);

    await system.start('marketing', marketingEnv);
    for (const customerId of customers) {
      await eventually(
        `the coupons of ${customerId}`,
        async () => ((await coupons(customerId)).coupons.length === 3 ? true : undefined),
        60_000,
      );
    }
    const issued = await eventually('15 CouponIssued events', async () => {
      const events = await couponsIssued(orders);
      return events.length >= 15 ? events : undefined;
    });
    expect(issued).to.have.length(15);
    expect(new Set(issued.map((event) => event.couponId)).size).to.equal(15);
    for (const customerId of customers) {
      const page = await coupons(customerId);
      expect(page.coupons.map((coupon) => coupon.deliveredOrders)).to.deep.equal([9, 6, 3]);
    }
    console.log('      checked: 50 deliveries while down, 5 customers × 3 coupons, 15 CouponIssued, none twice');
  });
});
