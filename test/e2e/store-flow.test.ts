import { OrderStatus } from '@fooddelivery/gen/fooddelivery/order/v1/order';
import { PaymentStatus } from '@fooddelivery/gen/fooddelivery/payment/v1/payment';
import { DeliveryCancelled } from '@fooddelivery/gen/fooddelivery/store/v1/store_events';
import { StoreOrderStatus } from '@fooddelivery/gen/fooddelivery/store/v1/store_order';
import { stopAll } from '@fooddelivery/stack/processes';
import { startSystem, type TestSystem } from '@fooddelivery/stack/system';
import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { eventually, streamEvents } from '../support/events.js';
import { orderStatus, storeOrder } from '../support/flow.js';
import { call, clients, grpcError, type UnaryMethod } from '../support/grpc-clients.js';
import { anOrder } from '../support/orders.js';

const STORE = 'store-seoul-chicken';

describe('store flow and cancellation, end to end over gRPC', function () {
  this.timeout(180_000);
  let system: TestSystem;
  let api: ReturnType<typeof clients>;

  before(async () => {
    system = await startSystem(['payment', 'order', 'store'], { payment: { PAYMENT_LATENCY_MIN_MS: '0', PAYMENT_LATENCY_MAX_MS: '5' } });
    api = clients({ order: system.service('order').grpc, payment: system.service('payment').grpc, store: system.service('store').grpc });
  });
  after(async () => {
    api?.close();
    await stopAll();
  });

  const place = async () => (await call(api.order.placeOrder.bind(api.order), anOrder())).order!;
  const act = (rpc: 'acceptOrder' | 'startCooking' | 'startDelivery' | 'completeDelivery', orderId: string) =>
    call((api.store[rpc] as UnaryMethod<{ storeId: string; orderId: string }, unknown>).bind(api.store), { storeId: STORE, orderId });

  it('happy path: place → accept → cook → deliver → complete; the order follows every step', async () => {
    const order = await place();
    const received = await storeOrder(api.store, STORE, order.orderId);
    expect(received).to.deep.include({ status: StoreOrderStatus.STORE_ORDER_STATUS_RECEIVED, deliveryAddress: order.deliveryAddress });
    expect(received.items.map((item) => item.menuItemId)).to.deep.equal(['fried-chicken', 'cola']);

    const steps: Array<[Parameters<typeof act>[0], StoreOrderStatus, OrderStatus]> = [
      ['acceptOrder', StoreOrderStatus.STORE_ORDER_STATUS_ACCEPTED, OrderStatus.ORDER_STATUS_ACCEPTED],
      ['startCooking', StoreOrderStatus.STORE_ORDER_STATUS_COOKING, OrderStatus.ORDER_STATUS_COOKING],
      ['startDelivery', StoreOrderStatus.STORE_ORDER_STATUS_DELIVERING, OrderStatus.ORDER_STATUS_DELIVERING],
      ['completeDelivery', StoreOrderStatus.STORE_ORDER_STATUS_DELIVERED, OrderStatus.ORDER_STATUS_DELIVERED],
    ];
    for (const [rpc, storeStatus, orderStatusAfter] of steps) {
      const { order: acted } = (await act(rpc, order.orderId)) as { order: { status: StoreOrderStatus } };
      expect(acted.status).to.equal(storeStatus);
      await orderStatus(api.order, order.orderId, orderStatusAfter);
    }
    const events = (await streamEvents(system.nats.url, 'FOODDELIVERY_STORE')).filter((event) => event.orderId === order.orderId);
    expect(events.map((event) => event.subject)).to.deep.equal([
      'fooddelivery.store.accepted',
      'fooddelivery.store.cooking_started',
      'fooddelivery.store.delivery_started',
      'fooddelivery.store.delivery_completed',
    ]);
    console.log(`      checked: 1 order, 4 store steps, 4 store events, order DELIVERED`);
  });

  it('refuses an illegal step with FAILED_PRECONDITION naming the current state', async () => {
    const order = await place();
    await storeOrder(api.store, STORE, order.orderId);
    const error = await grpcError(act('startDelivery', order.orderId));
    expect(error.code).to.equal(status.FAILED_PRECONDITION);
    expect(error.details).to.match(/it is received/);
    const wrongStore = await grpcError(
      call(api.store.acceptOrder.bind(api.store), { storeId: 'store-busan-noodles', orderId: order.orderId }),
    );
    expect(wrongStore.code).to.equal(status.NOT_FOUND);
  });

  it('cancellation before delivery: the order is cancelled, the payment refunded, the delivery cancelled', async () => {
    const order = await place();
    await storeOrder(api.store, STORE, order.orderId);
    await act('acceptOrder', order.orderId);
    await act('startCooking', order.orderId);
    await orderStatus(api.order, order.orderId, OrderStatus.ORDER_STATUS_COOKING);

    const { order: cancelled } = await call(api.order.cancelOrder.bind(api.order), { orderId: order.orderId, reason: 'changed my mind' });
    expect(cancelled?.status).to.equal(OrderStatus.ORDER_STATUS_CANCELLED);

    const refunded = await eventually('the refund', async () => {
      const { payment } = await call(api.payment.getPayment.bind(api.payment), { orderId: order.orderId });
      return payment?.status === PaymentStatus.PAYMENT_STATUS_REFUNDED ? payment : undefined;
    });
    expect(refunded.statusReason).to.include('changed my mind');
    await eventually('the store to cancel', async () => {
      const storeSide = await storeOrder(api.store, STORE, order.orderId);
      return storeSide.status === StoreOrderStatus.STORE_ORDER_STATUS_CANCELLED ? storeSide : undefined;
    });
    const cancelledEvent = await eventually('DeliveryCancelled', async () =>
      (await streamEvents(system.nats.url, 'FOODDELIVERY_STORE')).find(
        (event) => event.orderId === order.orderId && event.subject === 'fooddelivery.store.delivery_cancelled',
      ),
    );
    expect(DeliveryCancelled.decode(cancelledEvent.data).reason).to.equal('cancelled by the customer: changed my mind');

    const again = await call(api.order.cancelOrder.bind(api.order), { orderId: order.orderId, reason: 'twice' });
    expect(again.order?.status, 'cancelling twice is harmless').to.equal(OrderStatus.ORDER_STATUS_CANCELLED);
  });

  it('cancellation after delivery started: refused with FAILED_PRECONDITION, nothing refunded', async () => {
    const order = await place();
    await storeOrder(api.store, STORE, order.orderId);
    for (const rpc of ['acceptOrder', 'startCooking', 'startDelivery'] as const) await act(rpc, order.orderId);
    await orderStatus(api.order, order.orderId, OrderStatus.ORDER_STATUS_DELIVERING);

    const error = await grpcError(call(api.order.cancelOrder.bind(api.order), { orderId: order.orderId, reason: 'too late' }));
    expect(error.code).to.equal(status.FAILED_PRECONDITION);
    expect(error.details).to.match(/delivering and can no longer be cancelled/);
    const { payment } = await call(api.payment.getPayment.bind(api.payment), { orderId: order.orderId });
    expect(payment?.status).to.equal(PaymentStatus.PAYMENT_STATUS_APPROVED);
  });

  it('a store rejecting an order: refunded and the order marked rejected', async () => {
    const order = await place();
    await storeOrder(api.store, STORE, order.orderId);
    await call(api.store.rejectOrder.bind(api.store), { storeId: STORE, orderId: order.orderId, reason: 'out of chicken' });
    const rejected = await orderStatus(api.order, order.orderId, OrderStatus.ORDER_STATUS_REJECTED);
    expect(rejected.statusReason).to.equal('out of chicken');
    await eventually('the refund', async () => {
      const { payment } = await call(api.payment.getPayment.bind(api.payment), { orderId: order.orderId });
      return payment?.status === PaymentStatus.PAYMENT_STATUS_REFUNDED ? payment : undefined;
    });
  });
});
