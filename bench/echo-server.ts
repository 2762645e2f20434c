/**
 * A bare grpc-js server answering OrderService/PlaceOrder with a fixed order and
 * TrackingService/GetOrderTracking with a fixed tracking: no validation, no payment, no store.
 * The baseline the benches compare the services with. Prints its port on stdout.
 */
import { OrderStatus } from '@fooddelivery/gen/fooddelivery/order/v1/order';
import { OrderServiceService, type PlaceOrderResponse } from '@fooddelivery/gen/fooddelivery/order/v1/order_service';
import { TrackingStatus } from '@fooddelivery/gen/fooddelivery/notification/v1/tracking';
import { TrackingServiceService, type GetOrderTrackingResponse } from '@fooddelivery/gen/fooddelivery/notification/v1/tracking_service';
import { Server, ServerCredentials, status, type UntypedServiceImplementation } from '@grpc/grpc-js';

const krw = (amountMinor: number) => ({ currencyCode: 'KRW', amountMinor });
const response: PlaceOrderResponse = {
  order: {
    orderId: '0f8c3b8e-4a49-4c8e-9a59-0d5f7f7f7f7f',
    customerId: 'c-bench',
    storeId: 'store-seoul-chicken',
    items: [{ menuItemId: 'fried-chicken', name: 'Fried chicken', quantity: 1, unitPrice: krw(18000), lineTotal: krw(18000) }],
    total: krw(18000),
    deliveryAddress: '152 Teheran-ro, Seoul',
    status: OrderStatus.ORDER_STATUS_PAID,
    paymentId: '5b1e2c3d-0000-4000-8000-000000000000',
    placedAt: new Date(),
    updatedAt: new Date(),
    statusReason: '',
    cancellationStatus: 0,
    cancellationRefusal: '',
  },
};

const placedAt = new Date();
const tracking: GetOrderTrackingResponse = {
  tracking: {
    orderId: response.order!.orderId,
    customerId: 'c-bench',
    storeId: 'store-seoul-chicken',
    total: krw(18000),
    status: TrackingStatus.TRACKING_STATUS_COOKING,
    timeline: [TrackingStatus.TRACKING_STATUS_PAID, TrackingStatus.TRACKING_STATUS_ACCEPTED, TrackingStatus.TRACKING_STATUS_COOKING].map(
      (status) => ({ status, occurredAt: placedAt, reason: '' }),
    ),
    updatedAt: placedAt,
  },
};

const unimplemented = (_call: unknown, callback: (error: { code: status }) => void) => callback({ code: status.UNIMPLEMENTED });
const orderService: UntypedServiceImplementation = Object.fromEntries(
  Object.keys(OrderServiceService).map((name) => [name, unimplemented]),
);
orderService.placeOrder = (_call: unknown, callback: (error: null, value: PlaceOrderResponse) => void) => callback(null, response);
const trackingService: UntypedServiceImplementation = Object.fromEntries(
  Object.keys(TrackingServiceService).map((name) => [name, unimplemented]),
);
trackingService.getOrderTracking = (_call: unknown, callback: (error: null, value: GetOrderTrackingResponse) => void) =>
  callback(null, tracking);

const server = new Server();
server.addService(OrderServiceService, orderService);
server.addService(TrackingServiceService, trackingService);
server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, port) => {
  if (error) throw error;
  console.log(port);
});
process.once('SIGTERM', () => server.tryShutdown(() => process.exit(0)));
