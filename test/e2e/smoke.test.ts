import { toolPath } from '@fooddelivery/stack/paths';
import { stopAll } from '@fooddelivery/stack/processes';
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startSystem, type TestSystem } from '@fooddelivery/stack/system';

const run = promisify(execFile);
const grpcurl = (...args: string[]) => run(toolPath('grpcurl'), ['-plaintext', ...args]).then((result) => result.stdout);

const expected = {
  order: 'fooddelivery.order.v1.OrderService',
  payment: 'fooddelivery.payment.v1.PaymentService',
  store: 'fooddelivery.store.v1.StoreService',
  notification: 'fooddelivery.notification.v1.TrackingService',
} as const;

describe('the whole system, started as real processes', function () {
  this.timeout(180_000);
  let system: TestSystem;

  before(async () => {
    system = await startSystem(['payment', 'order', 'store', 'notification']);
  });
  after(() => stopAll());

  for (const [name, service] of Object.entries(expected) as Array<[keyof typeof expected, string]>) {
    it(`${name}: SERVING on grpc.health.v1.Health/Check and lists ${service} through reflection`, async () => {
      const address = system.service(name).grpc;
      expect(JSON.parse(await grpcurl(address, 'grpc.health.v1.Health/Check'))).to.deep.equal({ status: 'SERVING' });
      expect(JSON.parse(await grpcurl('-d', JSON.stringify({ service }), address, 'grpc.health.v1.Health/Check'))).to.deep.equal({
        status: 'SERVING',
      });
      const services = (await grpcurl(address, 'list')).trim().split('\n');
      expect(services).to.include(service);
      // Reflection resolves types across packages (common.v1, google.protobuf).
      expect(await grpcurl(address, 'describe', service)).to.include(`service ${service.split('.').at(-1)}`);
    });

    it(`${name}: Prometheus metrics on the REST port`, async () => {
      const response = await fetch(`${system.service(name).http}/metrics`);
      expect(response.status).to.equal(200);
      expect(await response.text()).to.include(`process_cpu_user_seconds_total{service="${name}"}`);
    });
  }

  it('a service drains and exits 0 on SIGTERM', async () => {
    const notification = system.service('notification');
    expect(await notification.process.stop()).to.equal(0);
    delete system.services.notification;
  });
});
