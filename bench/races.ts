/**
 * `npm run races [-- --races N]`: against a running `npm start` (default ports, or the
 * <SERVICE>_GRPC_PORT and NATS_PORT variables npm start reads), N orders are placed and taken to
 * cooking, then for each one the customer's CancelOrder and the store owner's StartDelivery are
 * sent at the same instant, all N at once. Prints the answers and a reconciliation of order,
 * payment, store and tracking; exits 1 if any order is refunded and delivering or any
 * invariant is violated.
 */
import { OrderStatus } from '@fooddelivery/gen/fooddelivery/order/v1/order';
import { localOpsUrl } from '@fooddelivery/stack/nats-access';
import { devToken } from '@fooddelivery/stack/tokens';
import { status, type ServiceError } from '@grpc/grpc-js';
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { call, clients } from '../test/support/grpc-clients.js';
import { anOrder } from '../test/support/orders.js';
import { reconcile, summary, type CancelAnswer } from '../test/support/reconcile.js';

const { values } = parseArgs({ options: { races: { type: 'string', default: '30' }, help: { type: 'boolean', short: 'h' } } });
if (values.help) {
  console.log('usage: npm run races [-- --races N]   (N cancel-vs-delivery races against a running npm start; default 30)');
  process.exit(0);
}
const races = Number(values.races);
const STORE = 'store-seoul-chicken';
const port = (variable: string, fallback: number) => Number(process.env[variable] || fallback);
const api = clients({
  order: `127.0.0.1:${port('ORDER_GRPC_PORT', 50051)}`,
  payment: `127.0.0.1:${port('PAYMENT_GRPC_PORT', 50052)}`,
  store: `127.0.0.1:${port('STORE_GRPC_PORT', 50053)}`,
  notification: `127.0.0.1:${port('NOTIFICATION_GRPC_PORT', 50054)}`,
});
const customerId = `c-races-${randomUUID().slice(0, 8)}`;
const as = async (role: 'customer' | 'store_owner' | 'admin', subject: string) => ({
  authorization: `Bearer ${await devToken(role, subject)}`,
});
const customer = await as('customer', customerId);
const owner = await as('store_owner', STORE);
const admin = await as('admin', 'races');

async function until<T>(what: string, send: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (error) {
      const code = (error as ServiceError).code;
      if (attempt > 100 || ![status.NOT_FOUND, status.UNAVAILABLE].includes(code))
        throw new Error(`${what}: ${(error as Error).message}`, { cause: error });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

try {
  console.log(`placing ${races} orders and taking them to cooking…`);
  const orderIds: string[] = [];
  for (let i = 0; i < races; i++) {
    const { order } = await call(api.order.placeOrder.bind(api.order), anOrder({ customerId: '', storeId: STORE }), { metadata: customer });
    orderIds.push(order!.orderId);
  }
  for (const orderId of orderIds) {
    await until('accept', () => call(api.store.acceptOrder.bind(api.store), { storeId: STORE, orderId }, { metadata: owner }));
    await call(api.store.startCooking.bind(api.store), { storeId: STORE, orderId }, { metadata: owner });
  }
  console.log(`${races} races: CancelOrder and StartDelivery at the same instant, all at once`);
  const cancels = new Map<string, CancelAnswer>();
  const deliveries = new Map<string, string>();
  await Promise.all(
    orderIds.map(async (orderId) => {
      const [delivery, cancel] = await Promise.allSettled([
        call(api.store.startDelivery.bind(api.store), { storeId: STORE, orderId }, { metadata: owner }),
        call(api.order.cancelOrder.bind(api.order), { orderId, reason: 'racing the courier' }, { metadata: customer, timeoutMs: 20_000 }),
      ]);
      deliveries.set(orderId, delivery.status === 'fulfilled' ? 'started' : status[(delivery.reason as ServiceError).code]);
      if (cancel.status === 'fulfilled')
        cancels.set(orderId, cancel.value.order?.status === OrderStatus.ORDER_STATUS_CANCELLED ? 'cancelled' : 'requested');
      else if ((cancel.reason as ServiceError).code === status.FAILED_PRECONDITION) cancels.set(orderId, 'refused');
    }),
  );
  const count = (map: Map<string, string>, value: string) => [...map.values()].filter((entry) => entry === value).length;
  console.log(
    `answers: cancel → CANCELLED ${count(cancels, 'cancelled')}, refused ${count(cancels, 'refused')}, pending ${count(cancels, 'requested')}; ` +
      `StartDelivery → started ${count(deliveries, 'started')}, refused ${count(deliveries, 'FAILED_PRECONDITION')}`,
  );
  const natsUrl = process.env.NATS_OPS_URL ?? localOpsUrl() ?? `nats://127.0.0.1:${port('NATS_PORT', 4222)}`;
  let result = await reconcile({ clients: api, metadata: admin, natsUrl, accepted: orderIds, cancels, storeIds: [STORE] });
  for (let round = 0; round < 30 && !summary(result).clean; round++) {
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    result = await reconcile({ clients: api, metadata: admin, natsUrl, accepted: orderIds, cancels, storeIds: [STORE] });
  }
  const refundedAndDelivering = result.violations.I2.length + result.violations.I3.length;
  console.log(summary(result).line);
  console.log(
    `refunded and delivering: ${refundedAndDelivering}; disagreements between order, payment, store and tracking: ${result.violations.I4.length}`,
  );
  if (!summary(result).clean) {
    console.log(JSON.stringify(result.violations, null, 1));
    process.exitCode = 1;
  }
} finally {
  api.close();
}
