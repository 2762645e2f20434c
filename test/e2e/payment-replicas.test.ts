import { stopAll } from '@fooddelivery/stack/processes';
import { startSystem, type TestSystem } from '@fooddelivery/stack/system';
import { expect } from 'chai';
import { call, clients } from '../support/grpc-clients.js';
import { metric } from '../support/metrics.js';
import { anOrder } from '../support/orders.js';

/** ApprovePayment calls a payment replica answered OK. */
const approvalsServed = (httpBase: string) =>
  metric(httpBase, 'grpc_server_handled_total', { grpc_method: 'ApprovePayment', grpc_code: 'OK', transport: 'grpc' });

describe('order → payment over two payment replicas', function () {
  this.timeout(120_000);
  let system: TestSystem;

  before(async () => {
    system = await startSystem(['payment'], { payment: { PAYMENT_LATENCY_MIN_MS: '0', PAYMENT_LATENCY_MAX_MS: '2' } });
  });
  after(() => stopAll());

  it('spreads the approvals of one order replica over both (round robin), and keeps placing orders when one stops', async () => {
    const first = system.service('payment');
    const second = await system.startReplica('payment', { PAYMENT_LATENCY_MIN_MS: '0', PAYMENT_LATENCY_MAX_MS: '2' });
    const order = await system.start('order', { PAYMENT_GRPC_ADDRESS: `ipv4:${first.grpc},${second.grpc}` });
    const api = clients({ order: order.grpc });
    const orders = api.order;
    try {
      for (let i = 0; i < 40; i++) await call(orders.placeOrder.bind(orders), anOrder({ idempotencyKey: `replicas-${i}` }));
      const [servedByFirst, servedBySecond] = await Promise.all([approvalsServed(first.http), approvalsServed(second.http)]);
      expect(servedByFirst + servedBySecond, 'approvals').to.equal(40);
      expect(servedByFirst, 'approvals by the first replica').to.be.within(10, 30);
      expect(servedBySecond, 'approvals by the second replica').to.be.within(10, 30);

      await second.process.stop();
      for (let i = 40; i < 60; i++) await call(orders.placeOrder.bind(orders), anOrder({ idempotencyKey: `replicas-${i}` }));
      expect(await approvalsServed(first.http), 'the first replica took over').to.equal(servedByFirst + 20);
    } finally {
      api.close();
    }
  });
});
