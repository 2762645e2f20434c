import { OrderServiceClient } from '@fooddelivery/gen/fooddelivery/order/v1/order_service';
import { stopAll } from '@fooddelivery/stack/processes';
import { startSystem, type RunningService, type TestSystem } from '@fooddelivery/stack/system';
import { credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { eventually } from '../support/events.js';
import { metric } from '../support/metrics.js';
import { anOrder } from '../support/orders.js';

const port = (address: string) => Number(address.split(':')[1]);

describe('graceful rolling restart of two order replicas under steady load', function () {
  this.timeout(240_000);
  let system: TestSystem;
  let replicas: RunningService[];

  before(async () => {
    system = await startSystem(['payment', 'order'], { payment: { PAYMENT_LATENCY_MIN_MS: '0', PAYMENT_LATENCY_MAX_MS: '5' } });
    replicas = [system.service('order'), await system.startReplica('order')];
  });
  after(() => stopAll());

  it('SIGTERM one replica, start it again, then the other: zero failed calls', async () => {
    // One client, round robin over both replicas (as over a Kubernetes headless Service). Like any
    // well-behaved gRPC client it retries UNAVAILABLE (a replica going away or still starting);
    // retrying PlaceOrder is safe because every call carries an idempotency key.
    const target = `ipv4:${replicas.map((replica) => replica.grpc).join(',')}`;
    const client = new OrderServiceClient(target, credentials.createInsecure(), {
      'grpc.service_config': JSON.stringify({
        loadBalancingConfig: [{ round_robin: {} }],
        methodConfig: [
          {
            name: [{ service: 'fooddelivery.order.v1.OrderService' }],
            retryPolicy: {
              maxAttempts: 5,
              initialBackoff: '0.05s',
              maxBackoff: '0.5s',
              backoffMultiplier: 2,
              retryableStatusCodes: ['UNAVAILABLE'],
            },
          },
        ],
      }),
    });
    let sent = 0;
    let answered = 0;
    const failures: string[] = [];
    let running = true;
    const worker = async () => {
      while (running) {
        sent++;
        await new Promise<void>((resolve) =>
          client.placeOrder(
            anOrder({ idempotencyKey: randomUUID() }),
            new Metadata(),
            { deadline: Date.now() + 10_000 },
            (error: ServiceError | null) => {
              if (error) failures.push(`${error.code} ${error.details}`);
              else answered++;
              resolve();
            },
          ),
        );
      }
    };
    const load = Promise.all(Array.from({ length: 4 }, worker));
    /** Waits until `count` more calls have been answered. */
    const answeredMore = (count: number, what: string) => {
      const target = answered + count;
      return eventually(what, async () => (answered >= target ? true : undefined), 30_000);
    };

    await answeredMore(40, 'the load to flow');
    for (const [index, replica] of replicas.entries()) {
      const sentBefore = sent;
      expect(await replica.process.stop(), 'drains and exits 0').to.equal(0);
      await answeredMore(20, 'calls served by the other replica alone');
      const restarted = await system.startReplica('order', {}, { grpc: port(replica.grpc), http: Number(new URL(replica.http).port) });
      replicas[index] = restarted;
      // The client finds the restarted replica again after its reconnection backoff: only once that
      // replica answers calls may the other one go.
      await eventually(
        'calls answered by the restarted replica',
        async () =>
          (await metric(restarted.http, 'grpc_server_handled_total', { grpc_method: 'PlaceOrder', grpc_code: 'OK', transport: 'grpc' })) >=
          20
            ? true
            : undefined,
        30_000,
      );
      expect(sent, 'calls kept flowing').to.be.greaterThan(sentBefore);
    }
    running = false;
    await load;
    client.close();
    console.log(`      checked: ${sent} calls sent during two graceful restarts, ${failures.length} failed`);
    expect(failures, failures.slice(0, 5).join('; ')).to.deep.equal([]);
  });
});
