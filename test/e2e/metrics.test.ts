/*
 * What an operator's Prometheus scrapes, from the real services after real orders: the RPC metrics
 * with grpc-prometheus's names and one code vocabulary on gRPC and REST, the payment client and
 * its circuit, the JetStream consumers' state and dead letters, handler durations, and the
 * outboxes draining to 0. Every metric the alerting rules and the dashboard name is exposed.
 */
import { OrderServiceClient } from '@fooddelivery/gen/fooddelivery/order/v1/order_service';
import { repoRoot } from '@fooddelivery/stack/paths';
import { natsAccess } from '@fooddelivery/stack/nats-access';
import { stopAll } from '@fooddelivery/stack/processes';
import { startSystem, type TestSystem } from '@fooddelivery/stack/system';
import { status } from '@grpc/grpc-js';
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { eventually } from '../support/events.js';
import { call, clients, grpcError } from '../support/grpc-clients.js';
import { scrape, samples, total } from '../support/metrics.js';
import { anOrder } from '../support/orders.js';
import { dashboardQueries, exposedNames, metricNames } from '../support/promql.js';

const SERVICES = ['order', 'payment', 'store', 'notification'] as const;
const ORDER_SERVICE = 'fooddelivery.order.v1.OrderService';
const ORDERS_OVER_GRPC = 4;

describe('metrics an operator scrapes from the running services', function () {
  this.timeout(180_000);
  let system: TestSystem;
  let order: OrderServiceClient;
  let close: () => void;

  before(async () => {
    system = await startSystem([...SERVICES]);
    ({ order, close } = clients({ order: system.service('order').grpc }));
    for (let i = 0; i < ORDERS_OVER_GRPC; i++) await call(order.placeOrder.bind(order), anOrder());
    const response = await fetch(`${system.service('order').http}/v1/orders`, {
      method: 'POST',
      body: JSON.stringify({
        customerId: 'c-metrics-rest',
        storeId: 'store-seoul-chicken',
        lines: [{ menuItemId: 'cola', quantity: 1 }],
        deliveryAddress: '1 Haeundae-ro, Busan',
        cardToken: 'tok_visa',
      }),
    });
    expect(response.status, await response.clone().text()).to.equal(200);
  });
  after(async () => {
    close?.();
    await stopAll();
  });

  it('grpc_server_handled_total counts PlaceOrder with grpc_code="OK", per transport, and its handling time', async () => {
    const text = await scrape(system.service('order').http);
    const placeOrder = { grpc_service: ORDER_SERVICE, grpc_method: 'PlaceOrder', grpc_type: 'unary' };
    expect(total(text, 'grpc_server_handled_total', { ...placeOrder, grpc_code: 'OK', transport: 'grpc' })).to.equal(ORDERS_OVER_GRPC);
    expect(total(text, 'grpc_server_handled_total', { ...placeOrder, grpc_code: 'OK', transport: 'rest' })).to.equal(1);
    expect(total(text, 'grpc_server_started_total', placeOrder)).to.equal(ORDERS_OVER_GRPC + 1);
    expect(total(text, 'grpc_server_handling_seconds_count', placeOrder)).to.equal(ORDERS_OVER_GRPC + 1);
    expect(total(text, 'grpc_server_handling_seconds_sum', placeOrder)).to.be.greaterThan(0);
    expect(total(text, 'grpc_server_handling_seconds_bucket', { ...placeOrder, transport: 'grpc', le: '+Inf' })).to.equal(ORDERS_OVER_GRPC);
    expect(samples(text, 'rpc_server_handled_total'), 'the old names are gone').to.deep.equal([]);
  });

  it('a REST call and a gRPC call failing alike get the same grpc_code', async () => {
    const notFound = await grpcError(call(order.getOrder.bind(order), { orderId: 'no-such-order' }));
    expect(notFound.code).to.equal(status.NOT_FOUND);
    const rest = await fetch(`${system.service('order').http}/v1/orders/no-such-order`);
    expect(rest.status).to.equal(404);
    const invalid = await grpcError(call(order.placeOrder.bind(order), anOrder({ lines: [] })));
    expect(invalid.code).to.equal(status.INVALID_ARGUMENT);
    const restInvalid = await fetch(`${system.service('order').http}/v1/orders`, {
      method: 'POST',
      body: '{"storeId": "store-seoul-chicken"}',
    });
    expect(restInvalid.status).to.equal(400);

    const text = await scrape(system.service('order').http);
    const codes = (method: string, transport: string) =>
      samples(text, 'grpc_server_handled_total')
        .filter(({ labels }) => labels.grpc_method === method && labels.transport === transport && labels.grpc_code !== 'OK')
        .map(({ labels, value }) => `${labels.grpc_code}=${value}`);
    expect(codes('GetOrder', 'grpc')).to.deep.equal(['NotFound=1']);
    expect(codes('GetOrder', 'rest')).to.deep.equal(['NotFound=1']);
    expect(codes('PlaceOrder', 'grpc')).to.deep.equal(['InvalidArgument=1']);
    expect(codes('PlaceOrder', 'rest')).to.deep.equal(['InvalidArgument=1']);
  });

  it('order → payment: client calls by code and duration, the circuit closed; payment counts the same calls', async () => {
    const orderText = await scrape(system.service('order').http);
    const approve = { grpc_service: 'fooddelivery.payment.v1.PaymentService', grpc_method: 'ApprovePayment' };
    const approved = total(orderText, 'grpc_client_handled_total', { ...approve, grpc_code: 'OK' });
    expect(approved).to.equal(ORDERS_OVER_GRPC + 1);
    expect(total(orderText, 'grpc_client_handling_seconds_count', approve)).to.equal(approved);
    expect(total(orderText, 'payment_circuit_state')).to.equal(0);
    const paymentText = await scrape(system.service('payment').http);
    expect(total(paymentText, 'grpc_server_handled_total', { ...approve, grpc_code: 'OK', transport: 'grpc' })).to.equal(approved);
  });

  it('every outbox drains: nothing unpublished, no age', async () => {
    for (const name of ['order', 'payment', 'store'] as const) {
      await eventually(`${name}'s outbox empty`, async () => {
        const text = await scrape(system.service(name).http);
        return total(text, 'outbox_unpublished') === 0 && samples(text, 'outbox_unpublished').length === 1 ? true : undefined;
      });
      const text = await scrape(system.service(name).http);
      expect(total(text, 'outbox_oldest_unpublished_age_seconds'), name).to.equal(0);
    }
  });

  it("each service's durable consumers: caught up, nothing waiting for an ack, no dead letters; handler durations by event type", async () => {
    for (const name of SERVICES) {
      for (const { stream, durable } of natsAccess[name].consumes) {
        await eventually(`${durable} caught up`, async () => {
          const text = await scrape(system.service(name).http);
          const labels = { stream, consumer: durable };
          const present = samples(text, 'jetstream_consumer_pending_messages').some((sample) => sample.labels.consumer === durable);
          return present &&
            total(text, 'jetstream_consumer_pending_messages', labels) === 0 &&
            total(text, 'jetstream_consumer_ack_pending_messages', labels) === 0
            ? true
            : undefined;
        });
        const text = await scrape(system.service(name).http);
        expect(total(text, 'jetstream_consumer_redelivered_messages', { consumer: durable }), durable).to.equal(0);
        const deadLetters = samples(text, 'dead_letter_messages').filter((sample) => sample.labels.consumer === durable);
        expect(
          deadLetters.map((sample) => sample.value),
          durable,
        ).to.deep.equal([0]);
      }
    }
    const store = await scrape(system.service('store').http);
    const handled = samples(store, 'event_handling_seconds_count').filter((sample) => sample.labels.consumer === 'store-follow-orders');
    expect(handled.map((sample) => sample.labels.event_type)).to.include('fooddelivery.order.v1.OrderPlaced');
    expect(handled.reduce((sum, sample) => sum + sample.value, 0)).to.be.at.least(ORDERS_OVER_GRPC + 1);
  });

  it('every metric the alerting rules and the dashboard name is exposed by a service', async () => {
    const exposed = new Set<string>();
    for (const name of SERVICES) for (const metric of exposedNames(await scrape(system.service(name).http))) exposed.add(metric);
    const rules = (
      parse(readFileSync(join(repoRoot, 'deploy/prometheus/rules.yml'), 'utf8')) as { groups: Array<{ rules: Array<{ expr: string }> }> }
    ).groups;
    const dashboard = JSON.parse(readFileSync(join(repoRoot, 'deploy/grafana/food-delivery.json'), 'utf8'));
    const queries = [
      ...rules.flatMap((group) => group.rules.map((rule) => ({ panel: 'rules.yml', expr: rule.expr }))),
      ...dashboardQueries(dashboard),
    ];
    expect(queries.length).to.be.at.least(20);
    for (const { panel, expr } of queries) {
      for (const metric of metricNames(expr)) expect(exposed.has(metric), `${panel}: ${metric} is not exposed (${expr})`).to.equal(true);
    }
  });

  it('while NATS is down the outboxes show their backlog and its age; once it is back they return to 0', async () => {
    await system.nats.stop();
    await call(order.placeOrder.bind(order), anOrder());
    for (const name of ['order', 'payment'] as const) {
      await eventually(
        `${name}'s outbox waiting for over a second`,
        async () => {
          const text = await scrape(system.service(name).http);
          return total(text, 'outbox_unpublished') >= 1 && total(text, 'outbox_oldest_unpublished_age_seconds') > 1 ? true : undefined;
        },
        20_000,
      );
    }
    await system.nats.restart();
    for (const name of ['order', 'payment'] as const) {
      await eventually(
        `${name}'s outbox empty again`,
        async () => {
          const text = await scrape(system.service(name).http);
          return total(text, 'outbox_unpublished') === 0 && total(text, 'outbox_oldest_unpublished_age_seconds') === 0 ? true : undefined;
        },
        30_000,
      );
    }
  });
});
