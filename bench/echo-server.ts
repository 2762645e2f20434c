/**
 * A bare grpc-js server answering OrderService/PlaceOrder with a fixed order: no validation,
 * no payment, no database. The baseline that bench/grpc-throughput.ts compares PlaceOrder with.
 * Prints its port on stdout.
 */
import { OrderStatus } from '@fooddelivery/gen/fooddelivery/order/v1/order';
import { OrderServiceService, type PlaceOrderResponse } from '@fooddelivery/gen/fooddelivery/order/v1/order_service';
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

const unimplemented = (_call: unknown, callback: (error: { code: status }) => void) => callback({ code: status.UNIMPLEMENTED });
const implementation: UntypedServiceImplementation = Object.fromEntries(
  Object.keys(OrderServiceService).map((name) => [name, unimplemented]),
);
implementation.placeOrder = (_call: unknown, callback: (error: null, value: PlaceOrderResponse) => void) => callback(null, response);

const server = new Server();
server.addService(OrderServiceService, implementation);
server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, port) => {
  if (error) throw error;
  console.log(port);
});
process.once('SIGTERM', () => server.tryShutdown(() => process.exit(0)));
