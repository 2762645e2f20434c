import { createLogger } from '@fooddelivery/adapters/logger';
import { createMetrics } from '@fooddelivery/adapters/metrics';
import { PaymentServiceService } from '@fooddelivery/gen/fooddelivery/payment/v1/payment_service';
import { Server, ServerCredentials, status, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { expect } from 'chai';
import { GrpcPaymentGateway } from '../../src/adapters/payment/grpc-payment-gateway.js';

const request = {
  orderId: 'o-1',
  customerId: 'c-1',
  amount: { currencyCode: 'KRW', amountMinor: 1000 },
  cardToken: 'tok_visa',
  storeId: 's-1',
  items: [],
  deliveryAddress: 'Seoul',
};

/**
 * The order service's payment client against a real gRPC server on loopback that answers what
 * the test says: only answers that say payment is unhealthy may open the circuit, so one
 * customer's odd request cannot block everyone's orders.
 */
describe('GrpcPaymentGateway and its circuit breaker', function () {
  this.timeout(30_000);
  let server: Server;
  let answer: status = status.OK;
  /** With a capacity, payment holds each call a while and answers RESOURCE_EXHAUSTED beyond it. */
  let capacity = 0;
  let holding = 0;
  let gateway: GrpcPaymentGateway;
  let address: string;
  const newGateway = () =>
    new GrpcPaymentGateway(
      address,
      '',
      { timeoutMs: 1_000, errorThresholdPercentage: 50, volumeThreshold: 5, resetTimeoutMs: 60_000, rollingWindowMs: 60_000 },
      createLogger('order-test', 'silent'),
      createMetrics('order-test'),
    );

  before(async () => {
    server = new Server();
    const implementation: UntypedServiceImplementation = Object.fromEntries(
      Object.keys(PaymentServiceService).map((name) => [
        name,
        (_call: unknown, callback: (error: { code: status; details: string } | null, response?: unknown) => void) => {
          if (capacity === 0) return callback({ code: answer, details: `answered ${status[answer]}` });
          if (holding >= capacity) return callback({ code: status.RESOURCE_EXHAUSTED, details: 'busy' });
          holding++;
          setTimeout(() => {
            holding--;
            callback(null, { payment: { paymentId: 'p', orderId: 'o-1', status: 1 } });
          }, 50);
        },
      ]),
    );
    server.addService(PaymentServiceService, implementation);
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound))),
    );
    address = `127.0.0.1:${port}`;
    gateway = newGateway();
  });
  after(() => {
    gateway.close();
    server.forceShutdown();
  });

  for (const code of [
    status.INVALID_ARGUMENT,
    status.INTERNAL,
    status.ALREADY_EXISTS,
    status.FAILED_PRECONDITION,
    status.RESOURCE_EXHAUSTED,
  ]) {
    it(`does not open the circuit on ${status[code]}, which a request (or a busy payment) causes`, async () => {
      answer = code;
      for (let call = 0; call < 20; call++) await gateway.approve(request).catch(() => undefined);
      expect(gateway.refusesNow()).to.equal(undefined);
    });
  }

  it('answers a conflicting payment for the same order id as a conflict, not as an outage', async () => {
    answer = status.ALREADY_EXISTS;
    expect(await gateway.approve(request).catch((error: Error) => error)).to.have.property('code', 'ORDER.PAYMENT_TERMS_CONFLICT');
  });

  it('learns how many approvals payment takes at once from its busy answers, and refuses beyond that before calling', async () => {
    gateway.close();
    gateway = newGateway();
    capacity = 3;
    try {
      await Promise.all(Array.from({ length: 10 }, () => gateway.approve(request).catch(() => undefined)));
      // It learned about 3 (and probes one more now and then: additive increase).
      const inFlight = Array.from({ length: 4 }, () => gateway.approve(request).catch(() => undefined));
      expect(gateway.refusesNow(), 'payment is full').to.deep.equal({ reason: 'busy', retryAfterSeconds: 1 });
      await Promise.all(inFlight);
      expect(gateway.refusesNow(), 'room again').to.equal(undefined);
    } finally {
      capacity = 0;
    }
  });

  it('opens the circuit when payment answers UNAVAILABLE, and then refuses at once', async () => {
    gateway.close();
    gateway = newGateway();
    answer = status.UNAVAILABLE;
    for (let call = 0; call < 10; call++) await gateway.approve(request).catch(() => undefined);
    expect(gateway.refusesNow()).to.have.property('reason', 'circuit open');
    const started = performance.now();
    expect(await gateway.approve(request).catch((error: Error) => error)).to.have.property('kind', 'unavailable');
    expect(performance.now() - started).to.be.lessThan(10);
  });
});
